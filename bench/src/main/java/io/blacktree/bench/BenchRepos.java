package io.blacktree.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.stream.Stream;

/**
 * The build sections' repositories and base image. A case is {@code tiny}, {@code <n>files} or {@code <n>mb}:
 * the same Dockerfile (manifest copied and a RUN on it first, sources last, so a source change leaves the
 * dependency layer cached), with a few files, many small files or one large incompressible directory.
 * The salt makes each repository's content unique, so no layer is cached anywhere before its first build.
 */
final class BenchRepos {
  static final String BASE = "blacktree/busybox-base:1";
  static final String CHANGED_FILE = "src/main.sh";
  private final String registry;
  private final int files;
  private final int bigMb;

  BenchRepos(String registry, int files, int bigMb) {
    this.registry = registry;
    this.files = files;
    this.bigMb = bigMb;
  }

  /** The cases of section 1 named in {@code kinds} ({@code tiny}, {@code files}, {@code mb}), smallest first. */
  String[] cases(Set<String> kinds) {
    return Stream.of("tiny", files + "files", bigMb + "mb")
        .filter(c -> kinds.stream().anyMatch(c::endsWith)).toArray(String[]::new);
  }

  /** The repository of a case: Dockerfile (manifest first, sources last), .dockerignore, content. */
  Map<String, Object> files(String kase, String salt) {
    Map<String, Object> f = new LinkedHashMap<>();
    f.put("Dockerfile", "FROM " + registry + "/" + BASE + "\n"
        + "WORKDIR /app\n"
        + "COPY deps.txt ./\n"
        + "RUN [\"/bin/sh\", \"-c\", \"sort deps.txt > deps.lock\"]\n"
        + "COPY src/ ./src/\n"
        + "CMD [\"/bin/sh\", \"/app/src/main.sh\"]\n");
    f.put(".dockerignore", ".git\n");
    f.put("deps.txt", "# dependency manifest\nsalt " + salt + "\nlibfoo 1.2.3\nlibbar 4.5.6\n");
    f.put(CHANGED_FILE, mainSh(salt));
    SplittableRandom rnd = new SplittableRandom(salt.hashCode());
    if (kase.endsWith("files")) {
      for (int i = 0; i < files - 4; i++) {
        f.put("src/pkg" + (i / 50) + "/file" + i + ".txt", "file " + i + " " + salt + " " + rnd.nextLong() + "\n"
            + "x".repeat(200 + rnd.nextInt(400)) + "\n");
      }
    } else if (kase.endsWith("mb")) {
      int chunk = 4 << 20;
      long total = (long) bigMb << 20;
      for (int i = 0; i * (long) chunk < total; i++) {
        byte[] b = new byte[(int) Math.min(chunk, total - (long) i * chunk)];
        for (int j = 0; j < b.length; j += 8) {
          long v = rnd.nextLong();
          for (int k = 0; k < 8 && j + k < b.length; k++) {
            b[j + k] = (byte) (v >>> (8 * k));
          }
        }
        f.put("src/data/blob" + i + ".bin", b);
      }
    }
    return f;
  }

  /** The one source change of a warm run. */
  static Map<String, Object> change(String salt) {
    return Map.of(CHANGED_FILE, mainSh(salt));
  }

  private static String mainSh(String salt) {
    return "#!/bin/sh\necho \"bench app " + salt + "\"\n";
  }

  /** The busybox base image (FROM scratch, see examples/base), built and pushed once; cached after. */
  void ensureBase(Path tmp) throws Exception {
    Path ctx = tmp.resolve("base");
    Files.createDirectories(ctx);
    Files.copy(Path.of("/bin/busybox"), ctx.resolve("busybox"));
    Files.writeString(ctx.resolve("Dockerfile"), "FROM scratch\nCOPY busybox /bin/busybox\n"
        + "RUN [\"/bin/busybox\", \"--install\", \"-s\", \"/bin\"]\nENV PATH=/bin\nCMD [\"/bin/sh\"]\n");
    HandScripts.time("docker", "build", "-q", "-t", registry + "/" + BASE, ctx.toString());
    HandScripts.time("docker", "push", "-q", registry + "/" + BASE);
  }
}
