package io.blacktree.cli;

import java.time.Duration;
import java.util.function.Consumer;
import picocli.CommandLine.Option;

/**
 * The job time limit, one flag for the two components that enforce it: the orchestrator (the RunJob deadline)
 * and the worker (its own stop). Shared by {@code worker}, {@code orchestrator} and {@code dev}.
 */
final class JobLimitOptions {
  @Option(names = "--job-time-limit", description = "Job time limit, ISO-8601 (default PT30M).")
  Duration jobTimeLimit;

  /** Hands the limit to {@code setter} when the flag is given. */
  void applyTo(Consumer<Duration> setter) {
    Flags.set(jobTimeLimit, setter);
  }
}
