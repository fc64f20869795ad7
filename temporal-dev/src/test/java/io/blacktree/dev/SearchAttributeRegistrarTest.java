package io.blacktree.dev;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Metadata;
import io.temporal.serviceclient.GrpcMetadataProvider;
import io.temporal.serviceclient.OperatorServiceStubsOptions;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The operator stubs of the registrar carry what the workflow stubs carry (the real path: cli SetupApiKeyIT). */
class SearchAttributeRegistrarTest {
  private static final Metadata.Key<String> AUTHORIZATION =
      Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

  @Test
  void operatorOptions_stubsWithApiKeyAndHeaders_carriesKeyHeadersAndTheSameChannel() {
    Metadata headers = new Metadata();
    Metadata.Key<String> custom = Metadata.Key.of("x-test", Metadata.ASCII_STRING_MARSHALLER);
    headers.put(custom, "value");
    WorkflowServiceStubs stubs = WorkflowServiceStubs.newServiceStubs(WorkflowServiceStubsOptions.newBuilder()
        .setTarget("127.0.0.1:1").addApiKey(() -> "the-key").setHeaders(headers).build());
    try {
      OperatorServiceStubsOptions options = SearchAttributeRegistrar.operatorOptions(stubs);

      List<String> authorizations = new ArrayList<>();
      for (GrpcMetadataProvider provider : options.getGrpcMetadataProviders()) {
        String value = provider.getMetadata().get(AUTHORIZATION);
        if (value != null) {
          authorizations.add(value);
        }
      }
      assertThat(authorizations).containsExactly("Bearer the-key");
      assertThat(options.getHeaders().get(custom)).isEqualTo("value");
      assertThat(options.getChannel()).isSameAs(stubs.getRawChannel());
    } finally {
      stubs.shutdownNow();
    }
  }
}
