package io.blacktree.deploy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import tools.jackson.databind.JsonNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * A copy of the repository's {@code deploy/kubernetes} in a temporary directory, with a placeholder for every
 * file an overlay's secretGenerator reads (they are never committed), so each overlay renders as it does for a
 * user who has put their credential files in place. Tests edit the copy to break it on purpose.
 */
final class ManifestTree {
  /** The manifests in the repository, from a module directory. */
  static final Path SOURCE = Path.of("..", "deploy", "kubernetes").toAbsolutePath().normalize();
  static final List<String> OVERLAYS = List.of("production", "node-docker-socket");
  private static final YAMLMapper YAML = YAMLMapper.builder().build();

  private final Path root;

  private ManifestTree(Path root) {
    this.root = root;
  }

  /** Copies {@link #SOURCE} under {@code dir} and fills in the secret files. */
  static ManifestTree copyInto(Path dir) throws IOException {
    Path root = dir.resolve("kubernetes");
    try (Stream<Path> files = Files.walk(SOURCE)) {
      for (Path from : files.toList()) {
        Path to = root.resolve(SOURCE.relativize(from).toString());
        if (Files.isDirectory(from)) {
          Files.createDirectories(to);
        } else {
          Files.copy(from, to);
        }
      }
    }
    ManifestTree tree = new ManifestTree(root);
    for (String overlay : OVERLAYS) {
      tree.writeSecretFiles(root.resolve("overlays").resolve(overlay));
    }
    return tree;
  }

  Path overlay(String name) {
    return root.resolve("overlays").resolve(name);
  }

  /** Replaces {@code from} by {@code to} in one file of the copy, which must contain it. */
  void edit(String relativePath, String from, String to) throws IOException {
    Path file = root.resolve(relativePath);
    String text = Files.readString(file, StandardCharsets.UTF_8);
    if (!text.contains(from)) {
      throw new IllegalArgumentException(relativePath + " does not contain " + from);
    }
    Files.writeString(file, text.replace(from, to), StandardCharsets.UTF_8);
  }

  private void writeSecretFiles(Path overlay) throws IOException {
    JsonNode kustomization = YAML.readTree(overlay.resolve("kustomization.yaml").toFile());
    for (JsonNode generator : kustomization.path("secretGenerator")) {
      for (JsonNode source : generator.path("files")) {
        String spec = source.asString();
        Path file = overlay.resolve(spec.substring(spec.indexOf('=') + 1));
        Files.createDirectories(file.getParent());
        Files.writeString(file, "placeholder-" + file.getFileName() + "\n", StandardCharsets.UTF_8);
      }
    }
  }

  /** The text of one manifest file in the repository (not the copy). */
  static String source(String relativePath) {
    try {
      return Files.readString(SOURCE.resolve(relativePath), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The parsed top-level keys of a YAML file in the repository, for the non-Kubernetes files (scrape config). */
  static Map<String, Object> yaml(String relativePath) {
    @SuppressWarnings("unchecked")
    Map<String, Object> map = YAML.readValue(source(relativePath), Map.class);
    return map;
  }
}
