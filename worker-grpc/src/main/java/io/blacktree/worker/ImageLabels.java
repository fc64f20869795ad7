package io.blacktree.worker;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.InspectImageResponse;
import io.blacktree.core.ErrorKind;
import io.blacktree.worker.JobFailure.DockerFailure;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/**
 * Gives a built image its labels (and a Dockerfile's trailing metadata instructions, {@link ConfigEdits}) without
 * a build step. The classic builder applies {@code --label} as one more
 * {@code LABEL} instruction: a container created from the image and committed, never cached (the labels hold the
 * workflow ID), which on a copying storage driver ({@code vfs}) copies the whole root filesystem twice, about
 * 2 s per job. Here the image's config is read (inspect), the labels are added, and a new image with the same
 * layers is created by an image load of just that config and a manifest: the engine finds every layer already
 * present by its chain ID and reads no layer data, so it costs one small request.
 *
 * <p>The labelled image carries {@link #BUILT_FROM} = the ID of the unlabelled image it came from (whose parent
 * chain is the layer cache of the next build), so {@link ImagePruner} removes both together. The config keeps
 * the image's run config, architecture, OS, creation time and layers; the build history entries are not copied.
 */
final class ImageLabels {
  /** Label naming the unlabelled build image a labelled image was made from. */
  static final String BUILT_FROM = "io.blacktree.built-from";
  private static final ObjectMapper JSON = new ObjectMapper().setSerializationInclusion(JsonInclude.Include.NON_NULL);
  private final DockerClient docker;

  ImageLabels(DockerClient docker) {
    this.docker = docker;
  }

  /**
   * Returns the ID of a new image = {@code imageId} with {@code edits} (a Dockerfile's trailing metadata, see
   * {@link DockerfileTail}) applied and then {@code labels} added, tagged {@code tag}.
   */
  String apply(String imageId, ConfigEdits edits, Map<String, String> labels, String tag) throws JobFailure {
    try {
      InspectImageResponse image = docker.inspectImageCmd(imageId).exec();
      byte[] config = config(image, edits, labels, image.getId() == null ? imageId : image.getId());
      String hex = sha256(config);
      try (ByteArrayInputStream tar = new ByteArrayInputStream(archive(config, hex, tag, layerCount(image)))) {
        docker.loadImageCmd(tar).exec();
      }
      String labelled = "sha256:" + hex;
      docker.inspectImageCmd(labelled).exec();
      return labelled;
    } catch (IOException e) {
      throw new DockerFailure(ErrorKind.INTERNAL, "could not label the built image: " + e.getMessage(), e);
    } catch (RuntimeException e) {
      throw ErrorClassifier.engine(e);
    }
  }

  private static byte[] config(InspectImageResponse image, ConfigEdits edits, Map<String, String> labels,
      String builtFrom) throws IOException {
    ObjectNode root = JSON.createObjectNode();
    root.put("architecture", image.getArch());
    root.put("os", image.getOs());
    root.put("created", image.getCreated());
    if (image.getAuthor() != null && !image.getAuthor().isEmpty()) {
      root.put("author", image.getAuthor());
    }
    ObjectNode runConfig = image.getConfig() == null ? JSON.createObjectNode() : JSON.valueToTree(image.getConfig());
    edits.applyTo(runConfig);
    ObjectNode merged = JSON.createObjectNode();
    if (runConfig.get("Labels") instanceof ObjectNode existing) {
      merged.setAll(existing);
    }
    labels.forEach(merged::put);
    merged.put(BUILT_FROM, builtFrom);
    runConfig.set("Labels", merged);
    root.set("config", runConfig);
    ObjectNode rootFs = root.putObject("rootfs");
    rootFs.put("type", "layers");
    ArrayNode diffIds = rootFs.putArray("diff_ids");
    List<String> layers = image.getRootFS() == null || image.getRootFS().getLayers() == null
        ? List.of() : image.getRootFS().getLayers();
    layers.forEach(diffIds::add);
    return JSON.writeValueAsBytes(root);
  }

  private static int layerCount(InspectImageResponse image) {
    return image.getRootFS() == null || image.getRootFS().getLayers() == null
        ? 0 : image.getRootFS().getLayers().size();
  }

  /** A {@code docker save} style archive holding only the config and the manifest; the layers are not in it. */
  private static byte[] archive(byte[] config, String hex, String tag, int layers) throws IOException {
    ObjectNode entry = JSON.createObjectNode();
    entry.put("Config", hex + ".json");
    entry.putArray("RepoTags").add(tag);
    ArrayNode paths = entry.putArray("Layers");
    for (int i = 0; i < layers; i++) {
      paths.add("layer" + i + "/layer.tar");
    }
    byte[] manifest = JSON.writeValueAsBytes(JSON.createArrayNode().add(entry));
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (TarArchiveOutputStream tar = new TarArchiveOutputStream(bytes)) {
      ContextTar.addBytes(tar, hex + ".json", config);
      ContextTar.addBytes(tar, "manifest.json", manifest);
    }
    return bytes.toByteArray();
  }

  private static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 missing from the JVM", e);
    }
  }
}
