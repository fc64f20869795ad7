package io.blacktree.workflows;

import io.blacktree.workflow.api.DeployJobWorkflow;
import io.blacktree.workflow.api.JobTags;

import io.blacktree.activities.DispatchOutcome;
import io.blacktree.activities.DispatchRequest;
import io.blacktree.activities.PublishActivities;
import io.blacktree.activities.PublishRequest;
import io.blacktree.core.BuildRequest;
import io.blacktree.core.DeployResult;
import io.blacktree.core.ErrorKind;
import io.blacktree.core.JobStatus;
import io.blacktree.core.JobStep;
import io.blacktree.core.Names;
import io.blacktree.core.ReplyTarget;
import io.temporal.activity.ActivityOptions;
import io.temporal.common.RetryOptions;
import io.temporal.failure.ActivityFailure;
import io.temporal.failure.ApplicationFailure;
import io.temporal.failure.CanceledFailure;
import io.temporal.workflow.CancellationScope;
import io.temporal.workflow.Workflow;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;

/**
 * The attempt loop: dispatch (one try per activity), classify a failure by its type, back off with
 * {@code Workflow.sleep} and try again avoiding the worker that failed, within the attempt and time
 * bounds of {@link DeployJobOptions}; publish the result at the end of every run (from a detached scope
 * on cancel). Deterministic: options come in through the constructor (registered via a factory).
 */
public class DeployJobWorkflowImpl implements DeployJobWorkflow {
  private static final Logger log = Workflow.getLogger(DeployJobWorkflowImpl.class);
  /**
   * The {@code Workflow.getVersion} change ID of "the start request alone carries the start search attributes and
   * memo" ({@code DeployJobStart}); at the default version the workflow upserts them itself, as histories
   * recorded before this change show.
   */
  static final String START_TAGS_CHANGE_ID = "start-tags-on-start-request";

  private final DeployJobOptions options;
  private final Dispatcher dispatcher;
  private final PublishActivities publish;
  private final Set<ReplyTarget> replyTargets = new LinkedHashSet<>();
  private Progress progress = new Progress(0, null, JobStep.QUEUED);
  /** The request's repository, sent with the result so every orchestrator learns its last build host. */
  private String repo;
  /** The run dispatches with cache affinity (false when replaying a history recorded before it). */
  private boolean affinityOn;

  /** With {@link DeployJobOptions#defaults()} (replay tests, and a worker registered by class). */
  public DeployJobWorkflowImpl() {
    this(DeployJobOptions.defaults());
  }

  public DeployJobWorkflowImpl(DeployJobOptions options) {
    this.options = options;
    this.dispatcher = new Dispatcher(options);
    this.publish = Workflow.newActivityStub(PublishActivities.class, ActivityOptions.newBuilder()
        .setStartToCloseTimeout(Duration.ofSeconds(30))
        .setScheduleToCloseTimeout(options.publishRetention())
        .setRetryOptions(RetryOptions.newBuilder()
            .setInitialInterval(Duration.ofSeconds(1))
            .setBackoffCoefficient(2)
            .setMaximumInterval(Duration.ofMinutes(1))
            .build())
        .build());
  }

  @Override
  public DeployResult run(DeployJobInput input) {
    replyTargets.addAll(input.replyTargets());
    BuildRequest request = input.request();
    repo = request.repoUrl();
    long startMillis = Workflow.currentTimeMillis();
    if (Workflow.getVersion(START_TAGS_CHANGE_ID, Workflow.DEFAULT_VERSION, 1) == Workflow.DEFAULT_VERSION) {
      upsertStartTags(request);
    }
    try {
      DeployResult result = attempts(request);
      JobOutcomeMetrics.record("success", null, result.attempts(), startMillis);
      return result;
    } catch (ApplicationFailure f) {
      JobOutcomeMetrics.record("failure", ErrorKind.parse(f.getType()), progress.attempt(), startMillis);
      throw f;
    } catch (CanceledFailure e) {
      JobOutcomeMetrics.record("cancelled", ErrorKind.CANCELLED, progress.attempt(), startMillis);
      log.info("job cancelled at attempt {}", progress.attempt());
      DeployResult cancelled = DeployResult.unsuccessful(JobStatus.CANCELLED, workflowId(), request.requestId(),
          progress.worker(), progress.attempt(), ErrorKind.CANCELLED, "cancelled", null);
      Workflow.newDetachedCancellationScope(() -> {
        setStep(JobStep.DONE);
        publishResult(cancelled);
      }).run();
      throw e;
    }
  }

  private DeployResult attempts(BuildRequest request) {
    long start = Workflow.currentTimeMillis();
    String runId = Workflow.getInfo().getRunId();
    affinityOn = Workflow.getVersion(Dispatcher.CHANGE_ID, Workflow.DEFAULT_VERSION, 1) >= 1;
    if (affinityOn) {
      dispatcher.route(request.repoUrl());
    }
    Duration backoff = options.initialBackoff();
    String avoid = null;
    String prefer = null;
    int reattachAttempt = 0;
    AttemptFailure last = null;
    int attempt = 0;
    while (attempt < options.maxAttempts()) {
      attempt++;
      progress = new Progress(attempt, null, JobStep.QUEUED);
      if (attempt > 1) {
        setStep(JobStep.QUEUED);
      }
      try {
        DispatchRequest dispatchRequest = new DispatchRequest(request, workflowId(), runId, attempt,
            reattachAttempt > 0 ? reattachAttempt : attempt, options.jobTimeLimit().toSeconds(), prefer, avoid, 0);
        DispatchOutcome outcome = affinityOn ? dispatcher.dispatch(dispatchRequest, attempt == 1)
            : dispatcher.legacy(dispatchRequest);
        return succeed(request, outcome, attempt);
      } catch (ActivityFailure f) {
        if (f.getCause() instanceof CanceledFailure || CancellationScope.current().isCancelRequested()) {
          throw new CanceledFailure("job cancelled");
        }
        last = AttemptFailure.of(f);
      }
      log.warn("attempt {} failed: {} on {}: {}", attempt, last.kind(), last.worker(), last.message());
      if (last.kind().category() != ErrorKind.Category.TRANSIENT) {
        throw fail(request, last, attempt, last.message());
      }
      prefer = last.reattach() ? last.worker() : null;
      avoid = last.reattach() ? null : last.worker();
      reattachAttempt = last.reattach() ? (reattachAttempt > 0 ? reattachAttempt : attempt) : 0;
      long elapsed = Workflow.currentTimeMillis() - start;
      if (attempt >= options.maxAttempts() || elapsed + backoff.toMillis() > options.totalTime().toMillis()) {
        break;
      }
      Workflow.sleep(backoff);
      backoff = backoff.multipliedBy(2).compareTo(options.maxBackoff()) > 0
          ? options.maxBackoff() : backoff.multipliedBy(2);
    }
    throw fail(request, last, attempt,
        "gave up after " + attempt + " attempt(s); last: " + last.message());
  }

  private DeployResult succeed(BuildRequest request, DispatchOutcome o, int attempt) {
    progress = new Progress(attempt, o.worker(), JobStep.DONE);
    setStep(JobStep.DONE);
    Map<String, Object> memo = new HashMap<>();
    memo.put("worker", o.worker());
    memo.put("image_url", o.imageUrl());
    memo.put("digest", o.digest());
    memo.put("commit_sha", o.commitSha());
    if (affinityOn) {
      memo.put("affinity", dispatcher.affinity(o.host()).outcome().value());
      if (o.host() != null) {
        memo.put(Names.MEMO_HOST, o.host());
      }
    }
    Workflow.upsertMemo(memo);
    DeployResult result = new DeployResult(JobStatus.SUCCESS, workflowId(), request.requestId(),
        o.imageUrl(), o.digest(), o.commitSha(), o.tags(), o.worker(), attempt, o.stepMillis(), null, null,
        o.logs(), o.attestation(), affinityOn ? dispatcher.affinity(o.host()) : null, o.reuse());
    publishResult(result);
    return result;
  }

  private ApplicationFailure fail(BuildRequest request, AttemptFailure last, int attempts, String message) {
    setStep(JobStep.DONE);
    DeployResult result = DeployResult.unsuccessful(JobStatus.FAILED, workflowId(), request.requestId(),
        last.worker(), attempts, last.kind(), message, last.logs())
        .withAffinity(affinityOn ? dispatcher.affinity(null) : null);
    publishResult(result);
    return ApplicationFailure.newNonRetryableFailure(last.kind() + ": " + message, last.kind().name(), result);
  }

  private void publishResult(DeployResult result) {
    String messageId = workflowId() + "/" + Workflow.getInfo().getRunId() + "/result";
    try {
      publish.publish(new PublishRequest(messageId, result, new ArrayList<>(replyTargets), repo));
    } catch (ActivityFailure e) {
      log.error("result of {} not published: {}", workflowId(), e.getMessage());
    }
  }

  /** What the version before {@link #START_TAGS_CHANGE_ID} did first: kept so that its histories replay. */
  private static void upsertStartTags(BuildRequest request) {
    Workflow.upsertTypedSearchAttributes(JobTags.searchAttributeUpdates(request));
    Workflow.upsertMemo(JobTags.memo(request));
  }

  private void setStep(JobStep step) {
    Workflow.upsertTypedSearchAttributes(JobTags.step(step));
  }

  private static String workflowId() {
    return Workflow.getInfo().getWorkflowId();
  }

  @Override
  public void stepChanged(StepUpdate update) {
    if (update.attempt() != progress.attempt() || update.step() == null) {
      return; // a late notice from an earlier attempt
    }
    progress = new Progress(update.attempt(), update.worker(), update.step());
    setStep(update.step());
  }

  @Override
  public void addReplyTarget(ReplyTarget target) {
    replyTargets.add(target);
  }

  @Override
  public Progress progress() {
    return progress;
  }
}
