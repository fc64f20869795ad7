package io.blacktree.activities;

import io.blacktree.core.JobStep;
import io.blacktree.proto.worker.v1.Step;

/** Folds the worker's proto steps into the five {@link JobStep}s of the {@code BlacktreeStep} search attribute. */
final class Steps {
  private Steps() {}

  static JobStep of(Step step) {
    return switch (step) {
      case CLONING -> JobStep.CLONING;
      case BUILDING -> JobStep.BUILDING;
      case LOGGING_IN, PUSHING -> JobStep.PUSHING;
      case CLEANING_UP, DONE -> JobStep.DONE;
      default -> JobStep.QUEUED;
    };
  }

  /** Lowercase name for step-duration maps (logging_in kept apart from pushing there). */
  static String durationKey(Step step) {
    return step.name().toLowerCase(java.util.Locale.ROOT);
  }
}
