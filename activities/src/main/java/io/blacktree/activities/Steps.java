package io.blacktree.activities;

import io.blacktree.proto.worker.v1.Step;

/** Maps the worker's steps onto the five values of the {@code BlacktreeStep} search attribute. */
final class Steps {
  static final String QUEUED = "queued";
  static final String CLONING = "cloning";
  static final String BUILDING = "building";
  static final String PUSHING = "pushing";
  static final String DONE = "done";

  private Steps() {}

  static String of(Step step) {
    return switch (step) {
      case CLONING -> CLONING;
      case BUILDING -> BUILDING;
      case LOGGING_IN, PUSHING -> PUSHING;
      case CLEANING_UP, DONE -> DONE;
      default -> QUEUED;
    };
  }

  /** Lowercase name for step-duration maps (logging_in kept apart from pushing there). */
  static String durationKey(Step step) {
    return step.name().toLowerCase(java.util.Locale.ROOT);
  }
}
