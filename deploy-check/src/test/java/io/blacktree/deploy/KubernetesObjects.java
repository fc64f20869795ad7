package io.blacktree.deploy;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.BeanDescription;
import tools.jackson.databind.DeserializationConfig;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.MappingIterator;
import tools.jackson.databind.deser.BeanDeserializerBuilder;
import tools.jackson.databind.deser.ValueDeserializerModifier;
import tools.jackson.databind.module.SimpleModule;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * Parses rendered manifests (multi-document YAML) strictly into the fabric8 Kubernetes API model: a kind this
 * project does not expect, a wrong apiVersion, or any field the model does not have fails with the document's
 * kind, name and the field's path. The model classes keep unknown fields in an "additionalProperties" any-setter,
 * which would swallow a typo such as {@code replicass}; the any-setter is taken out, so Jackson's
 * FAIL_ON_UNKNOWN_PROPERTIES applies to every object in the tree.
 */
final class KubernetesObjects {
  /** The kinds Blacktree's manifests may contain, by {@code apiVersion/kind}. */
  private static final Map<String, Class<? extends HasMetadata>> KINDS = Map.ofEntries(
      Map.entry("v1/Namespace", Namespace.class),
      Map.entry("v1/ServiceAccount", ServiceAccount.class),
      Map.entry("v1/ConfigMap", ConfigMap.class),
      Map.entry("v1/Secret", Secret.class),
      Map.entry("v1/Service", Service.class),
      Map.entry("apps/v1/Deployment", Deployment.class),
      Map.entry("apps/v1/StatefulSet", StatefulSet.class),
      Map.entry("batch/v1/Job", Job.class),
      Map.entry("policy/v1/PodDisruptionBudget", PodDisruptionBudget.class),
      Map.entry("networking.k8s.io/v1/NetworkPolicy", NetworkPolicy.class));

  private static final YAMLMapper STRICT = YAMLMapper.builder()
      .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
      .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
      .addModule(new SimpleModule("no-additional-properties").setDeserializerModifier(new ValueDeserializerModifier() {
        @Override
        public BeanDeserializerBuilder updateBuilder(DeserializationConfig config, BeanDescription.Supplier bean,
            BeanDeserializerBuilder builder) {
          builder.setAnySetter(null);
          return builder;
        }
      }))
      .build();

  private KubernetesObjects() {}

  /**
   * Every document of {@code yaml} as its model object, in order.
   *
   * @throws InvalidManifestException naming the document and what is wrong with it
   */
  static List<HasMetadata> parse(String yaml) {
    List<HasMetadata> objects = new ArrayList<>();
    try (MappingIterator<JsonNode> documents = STRICT.readerFor(JsonNode.class).readValues(yaml)) {
      int index = 0;
      while (documents.hasNext()) {
        JsonNode document = documents.next();
        index++;
        if (document == null || document.isNull() || document.isEmpty()) {
          continue;
        }
        objects.add(toModel(document, index));
      }
    } catch (JacksonException e) {
      throw new InvalidManifestException("not YAML: " + e.getOriginalMessage(), e);
    }
    return objects;
  }

  private static HasMetadata toModel(JsonNode document, int index) {
    String apiVersion = document.path("apiVersion").asString("");
    String kind = document.path("kind").asString("");
    String name = document.path("metadata").path("name").asString("?");
    String where = "document " + index + " (" + apiVersion + " " + kind + " " + name + ")";
    Class<? extends HasMetadata> type = KINDS.get(apiVersion + "/" + kind);
    if (type == null) {
      throw new InvalidManifestException(where + ": apiVersion/kind is not one of " + KINDS.keySet(), null);
    }
    try {
      return STRICT.treeToValue(document, type);
    } catch (JacksonException e) {
      throw new InvalidManifestException(where + ": " + e.getOriginalMessage() + " at " + e.getPathReference(), e);
    }
  }

  /** A manifest that is not a valid object of the Kubernetes API. */
  static final class InvalidManifestException extends RuntimeException {
    InvalidManifestException(String message, Throwable cause) {
      super(message, cause);
    }
  }
}
