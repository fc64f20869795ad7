package io.blacktree.worker;

import io.blacktree.core.SecretRedactor;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * The files a Dockerfile may mount with {@code RUN --mount=type=secret,id=<id>} on BuildKit [--build-secret
 * id=file, repeatable]. buildctl is given each file's path ({@code --secret id=<id>,src=<file>}) and reads it
 * itself when buildkitd asks for it during the solve: the value never enters argv, the environment, the build
 * args or the image, and BuildKit keeps secret mounts out of layers and cache. Every configured secret is
 * offered to every build on this worker, so any repository the worker builds can read it: hand a worker only
 * secrets meant for all of them (a read-only package-registry token, say). Each job's log redacts the files'
 * contents as read at the job's start (the whole value and each line of at least 4 characters).
 */
public record BuildSecrets(Map<String, Path> files) {
  private static final Pattern ID = Pattern.compile("[A-Za-z0-9_.-]{1,64}");
  private static final int MIN_LINE = 4;

  public BuildSecrets {
    files = files == null ? Map.of() : Map.copyOf(new TreeMap<>(files));
  }

  /** Every problem at once (named as the flag is); empty when usable. */
  public List<String> problems() {
    List<String> out = new ArrayList<>();
    files.forEach((id, file) -> {
      if (!ID.matcher(id).matches()) {
        out.add("build-secret: id '" + id + "' must be 1-64 of [A-Za-z0-9_.-]");
      }
      if (file == null || !Files.isRegularFile(file) || !Files.isReadable(file)) {
        out.add("build-secret: the file of '" + id + "' is not a readable file: " + file);
      }
    });
    return out;
  }

  /** buildctl's {@code --secret} arguments, in id order: paths only. */
  List<String> buildctlArgs() {
    List<String> args = new ArrayList<>();
    new TreeMap<>(files).forEach((id, file) -> args.addAll(List.of("--secret", "id=" + id + ",src=" + file)));
    return args;
  }

  /**
   * Tells {@code redactor} every secret's value as its file holds it now (a rotated file is read again by the
   * next job); an unreadable file is skipped here and fails that job's build in buildctl instead.
   */
  void register(SecretRedactor redactor) {
    for (Path file : files.values()) {
      try {
        String value = Files.readString(file, StandardCharsets.UTF_8);
        redactor.addSecret(value);
        redactor.addSecret(value.strip());
        value.lines().map(String::strip).filter(l -> l.length() >= MIN_LINE).forEach(redactor::addSecret);
      } catch (IOException e) {
        // buildctl reports the unreadable file as the build's failure
      }
    }
  }

  @Override
  public String toString() {
    return "ids " + files.keySet();
  }
}
