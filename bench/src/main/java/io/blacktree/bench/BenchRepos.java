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
 * dependency layer cached), with a few files, many small files or one large incompressible directory. The fleet
 * section also has {@code install}: the tiny repository whose dependency RUN costs seconds of CPU, standing for a
 * dependency install or compile (see {@link #INSTALL_RUN}).
 * The salt makes each repository's content unique, so no layer is cached anywhere before its first build.
 */
final class BenchRepos {
  static final String BASE = "blacktree/busybox-base:1";
  static final String CHANGED_FILE = "src/main.sh";
  static final String INSTALL = "install";
  /**
   * The {@code install} case's dependency step, with only busybox: sha256 over {@code %d} MiB of generated data (CPU
   * for seconds, as a dependency install or compile costs), then an 8 MiB directory of incompressible output (what an
   * install leaves in the image), then the lock file.
   */
  static final String INSTALL_RUN = "mkdir deps && dd if=/dev/zero bs=1048576 count=%d 2>/dev/null | sha256sum > "
      + "deps/digest && dd if=/dev/urandom of=deps/vendor.bin bs=1048576 count=8 2>/dev/null "
      + "&& sort deps.txt > deps.lock";
  private final String registry;
  private final int files;
  private final int bigMb;
  private final int installMb;

  BenchRepos(String registry, int files, int bigMb, int installMb) {
    this.registry = registry;
    this.files = files;
    this.bigMb = bigMb;
    this.installMb = installMb;
  }

  /** The cases of section 1 named in {@code kinds} ({@code tiny}, {@code files}, {@code mb}), smallest first. */
  String[] cases(Set<String> kinds) {
    return Stream.of("tiny", files + "files", bigMb + "mb")
        .filter(c -> kinds.stream().anyMatch(c::endsWith)).toArray(String[]::new);
  }

  /** The fleet section's cases: those of section 1, then {@code install} when {@code kinds} names it. */
  String[] fleetCases(Set<String> kinds) {
    return Stream.concat(Stream.of(cases(kinds)), kinds.contains(INSTALL) ? Stream.of(INSTALL) : Stream.empty())
        .toArray(String[]::new);
  }

  /** What the {@code install} case's dependency step does, for the report. */
  String installDescription() {
    return "RUN " + String.format(java.util.Locale.ROOT, INSTALL_RUN, installMb);
  }

  /** The repository of a case: Dockerfile (manifest first, sources last), .dockerignore, content. */
  Map<String, Object> files(String kase, String salt) {
    Map<String, Object> f = new LinkedHashMap<>();
    String deps = kase.equals(INSTALL) ? String.format(java.util.Locale.ROOT, INSTALL_RUN, installMb)
        : "sort deps.txt > deps.lock";
    f.put("Dockerfile", "FROM " + registry + "/" + BASE + "\n"
        + "WORKDIR /app\n"
        + "COPY deps.txt ./\n"
        + "RUN [\"/bin/sh\", \"-c\", \"" + deps + "\"]\n"
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
