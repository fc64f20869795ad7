package io.blacktree.worker;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/**
 * Changes to an image's run config that a Dockerfile's trailing metadata instructions make ({@code CMD},
 * {@code ENTRYPOINT}, {@code ENV}, {@code EXPOSE}, {@code LABEL}, {@code USER}), applied in their order the way
 * the classic builder applies them, but to the config directly instead of through a container commit each.
 * See {@link DockerfileTail}.
 */
record ConfigEdits(List<Edit> edits) {
  static final ConfigEdits NONE = new ConfigEdits(List.of());

  ConfigEdits {
    edits = List.copyOf(edits);
  }

  boolean isEmpty() {
    return edits.isEmpty();
  }

  /** One change to the run config. */
  sealed interface Edit {
    void applyTo(ObjectNode runConfig);
  }

  /** {@code CMD}: the command, exec form (a shell form already wrapped in {@code /bin/sh -c}). */
  record SetCmd(List<String> cmd) implements Edit {
    @Override
    public void applyTo(ObjectNode runConfig) {
      setArray(runConfig, "Cmd", cmd);
    }
  }

  /**
   * {@code ENTRYPOINT}; {@code clearsCmd} when no {@code CMD} came before it in its stage, since the builder then
   * drops the command inherited from the base image.
   */
  record SetEntrypoint(List<String> entrypoint, boolean clearsCmd) implements Edit {
    @Override
    public void applyTo(ObjectNode runConfig) {
      setArray(runConfig, "Entrypoint", entrypoint);
      if (clearsCmd) {
        runConfig.remove("Cmd");
      }
    }
  }

  /** {@code ENV name=value}: replaces an entry of the same name or appends one. */
  record SetEnv(String name, String value) implements Edit {
    @Override
    public void applyTo(ObjectNode runConfig) {
      ArrayNode env = runConfig.get("Env") instanceof ArrayNode a ? a : runConfig.putArray("Env");
      for (int i = 0; i < env.size(); i++) {
        String entry = env.get(i).asText();
        if (entry.equals(name) || entry.startsWith(name + "=")) {
          env.set(i, env.textNode(name + "=" + value));
          return;
        }
      }
      env.add(name + "=" + value);
    }
  }

  /** {@code EXPOSE port/protocol}. */
  record Expose(String portAndProtocol) implements Edit {
    @Override
    public void applyTo(ObjectNode runConfig) {
      ObjectNode ports = runConfig.get("ExposedPorts") instanceof ObjectNode o ? o : runConfig.putObject("ExposedPorts");
      ports.putObject(portAndProtocol);
    }
  }

  /** {@code LABEL key=value}. */
  record SetLabel(String key, String value) implements Edit {
    @Override
    public void applyTo(ObjectNode runConfig) {
      ObjectNode labels = runConfig.get("Labels") instanceof ObjectNode o ? o : runConfig.putObject("Labels");
      labels.put(key, value);
    }
  }

  /** {@code USER name[:group]}. */
  record SetUser(String user) implements Edit {
    @Override
    public void applyTo(ObjectNode runConfig) {
      runConfig.put("User", user);
    }
  }

  /** Applies every edit in order. */
  void applyTo(ObjectNode runConfig) {
    edits.forEach(e -> e.applyTo(runConfig));
  }

  private static void setArray(ObjectNode node, String field, List<String> values) {
    ArrayNode array = node.putArray(field);
    values.forEach(array::add);
  }
}
