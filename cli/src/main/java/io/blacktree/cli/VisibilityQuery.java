package io.blacktree.cli;

import io.blacktree.core.Names;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Builds the visibility query of {@code jobs list} from its filters. */
final class VisibilityQuery {
  /** Accepted {@code --status} values and Temporal's ExecutionStatus names. */
  static final Map<String, String> STATUSES = Map.of(
      "running", "Running",
      "completed", "Completed",
      "failed", "Failed",
      "cancelled", "Canceled",
      "canceled", "Canceled",
      "terminated", "Terminated",
      "timed_out", "TimedOut",
      "timedout", "TimedOut");

  private VisibilityQuery() {}

  /**
   * The query for the given filters (null = no filter).
   *
   * @throws CliException exit 2 for an unknown status or a value containing a quote or backslash
   */
  static String build(String status, String repo, String version, String account) throws CliException {
    List<String> clauses = new ArrayList<>();
    clauses.add("WorkflowType = '" + Names.WORKFLOW_TYPE + "'");
    if (status != null) {
      String name = STATUSES.get(status.toLowerCase(Locale.ROOT).replace('-', '_'));
      if (name == null) {
        throw CliException.badInput("--status must be one of running, completed, failed, cancelled, "
            + "terminated, timed_out; was '" + status + "'");
      }
      clauses.add("ExecutionStatus = '" + name + "'");
    }
    addKeyword(clauses, Names.SA_REPO, "--repo", repo);
    addKeyword(clauses, Names.SA_VERSION, "--version", version);
    addKeyword(clauses, Names.SA_ACCOUNT, "--account", account);
    return String.join(" AND ", clauses);
  }

  private static void addKeyword(List<String> clauses, String attribute, String flag, String value)
      throws CliException {
    if (value == null) {
      return;
    }
    if (value.contains("'") || value.contains("\\") || value.contains("\"")) {
      throw CliException.badInput(flag + " must not contain quotes or backslashes");
    }
    clauses.add(attribute + " = '" + value + "'");
  }
}
