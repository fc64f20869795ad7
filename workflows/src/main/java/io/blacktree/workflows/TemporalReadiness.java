package io.blacktree.workflows;

import io.blacktree.core.Readiness;
import io.grpc.StatusRuntimeException;
import io.temporal.api.workflowservice.v1.GetSystemInfoRequest;
import io.temporal.serviceclient.WorkflowServiceStubs;
import java.util.concurrent.TimeUnit;

/** Ready when the Temporal frontend answers {@code GetSystemInfo} within {@value #TIMEOUT_SECONDS} s. */
public final class TemporalReadiness implements Readiness {
  static final int TIMEOUT_SECONDS = 3;
  private final WorkflowServiceStubs service;

  public TemporalReadiness(WorkflowServiceStubs service) {
    this.service = service;
  }

  @Override
  public Status check() {
    try {
      service.blockingStub().withDeadlineAfter(TIMEOUT_SECONDS, TimeUnit.SECONDS)
          .getSystemInfo(GetSystemInfoRequest.getDefaultInstance());
      return Status.ok();
    } catch (StatusRuntimeException e) {
      return Status.failing("temporal: " + e.getStatus().getCode());
    } catch (RuntimeException e) {
      return Status.failing("temporal: " + e.getClass().getSimpleName());
    }
  }
}
