package io.blacktree.workflows;

import io.blacktree.activities.DispatchActivities;
import io.blacktree.activities.DispatchFailure;
import io.blacktree.activities.DispatchOutcome;
import io.blacktree.activities.DispatchRequest;
import io.blacktree.core.BuildReuse;
import io.blacktree.core.ErrorKind;
import io.temporal.failure.ApplicationFailure;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/** A scripted dispatch activity: the n-th call runs the n-th step of the script (the last one repeats). */
final class FakeDispatch implements DispatchActivities {
  private final List<Function<DispatchRequest, DispatchOutcome>> script;
  final List<DispatchRequest> calls = new ArrayList<>();

  @SafeVarargs
  FakeDispatch(Function<DispatchRequest, DispatchOutcome>... script) {
    this.script = List.of(script);
  }

  @Override
  public DispatchOutcome dispatch(DispatchRequest request) {
    int n;
    synchronized (calls) {
      calls.add(request);
      n = calls.size();
    }
    return script.get(Math.min(n, script.size()) - 1).apply(request);
  }

  synchronized List<DispatchRequest> calls() {
    synchronized (calls) {
      return List.copyOf(calls);
    }
  }

  static Function<DispatchRequest, DispatchOutcome> succeed(String worker) {
    return succeedOn(worker, "host-1");
  }

  /** Succeeds on {@code worker} of build host {@code host}. */
  static Function<DispatchRequest, DispatchOutcome> succeedOn(String worker, String host) {
    return r -> new DispatchOutcome(worker, "127.0.0.1:5000/" + r.request().ecrRepo() + ":"
        + r.request().deploymentVersion(), "sha256:" + "a".repeat(64), "b".repeat(40), List.of(),
        Map.of("building", 1200L), "Step 1/2 : FROM scratch\nSuccessfully built\n",
        new BuildReuse(2, 1, 1, 1, true, false), null, host);
  }

  static Function<DispatchRequest, DispatchOutcome> fail(ErrorKind kind, String worker, String logs) {
    return r -> {
      DispatchFailure d = new DispatchFailure(worker, kind, kind + " happened", logs);
      throw kind.retryable()
          ? ApplicationFailure.newFailure(kind + " on " + worker, kind.name(), d)
          : ApplicationFailure.newNonRetryableFailure(kind + " on " + worker, kind.name(), d);
    };
  }
}
