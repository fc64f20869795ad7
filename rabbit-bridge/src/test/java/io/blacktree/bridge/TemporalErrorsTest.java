package io.blacktree.bridge;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.temporal.api.errordetails.v1.NamespaceNotFoundFailure;
import io.temporal.api.errordetails.v1.WorkflowExecutionAlreadyStartedFailure;
import io.temporal.serviceclient.StatusUtils;
import org.junit.jupiter.api.Test;

class TemporalErrorsTest {
  @Test
  void classify_namespaceNotFound_unavailableSoTheMessageIsHeld() {
    // what the frontend answered while PostgreSQL restarted under it (cluster soak)
    StatusRuntimeException e = StatusUtils.newException(
        Status.NOT_FOUND.withDescription("Namespace default is not found."),
        NamespaceNotFoundFailure.newBuilder().setNamespace("default").build(),
        NamespaceNotFoundFailure.getDescriptor());

    StartException classified = TemporalErrors.classify("start of wf", new RuntimeException("wrapped", e));

    assertThat(classified).isInstanceOf(TemporalUnavailableException.class);
    assertThat(TemporalErrors.isTransient(e)).isTrue();
  }

  @Test
  void classify_otherNotFound_refused() {
    StatusRuntimeException e = StatusUtils.newException(Status.NOT_FOUND.withDescription("gone"),
        WorkflowExecutionAlreadyStartedFailure.getDefaultInstance(),
        WorkflowExecutionAlreadyStartedFailure.getDescriptor());

    assertThat(TemporalErrors.classify("joining wf", e)).isInstanceOf(StartRefusedException.class)
        .hasMessageContaining("NOT_FOUND: gone");
    assertThat(TemporalErrors.classify("joining wf", Status.NOT_FOUND.asRuntimeException()))
        .isInstanceOf(StartRefusedException.class);
  }

  @Test
  void classify_unavailableOrInvalidArgument_heldOrRefused() {
    assertThat(TemporalErrors.classify("start of wf", Status.UNAVAILABLE.asRuntimeException()))
        .isInstanceOf(TemporalUnavailableException.class);
    assertThat(TemporalErrors.classify("start of wf",
        Status.INVALID_ARGUMENT.withDescription("bad id").asRuntimeException()))
        .isInstanceOf(StartRefusedException.class).hasMessageContaining("INVALID_ARGUMENT: bad id");
  }
}
