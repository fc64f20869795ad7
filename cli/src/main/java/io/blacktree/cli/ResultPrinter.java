package io.blacktree.cli;

import io.blacktree.core.JobStatus;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.blacktree.core.DeployResult;
import java.io.PrintWriter;
import java.util.Map;

/** Prints a job's result for people (aligned fields) or scripts (JSON). */
final class ResultPrinter {
  static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
      .findAndRegisterModules();

  private ResultPrinter() {}

  static void print(DeployResult r, PrintWriter out) {
    field(out, "status", r.status() == null ? null : r.status().name());
    field(out, "workflow", r.workflowId());
    field(out, "request id", r.requestId());
    field(out, "image", r.imageUrl());
    field(out, "digest", r.digest());
    field(out, "commit", r.commitSha());
    field(out, "provenance", r.attestation() == null ? null : r.attestation().describe());
    field(out, "tags", r.tags() == null || r.tags().isEmpty() ? null : String.join(", ", r.tags()));
    field(out, "worker", r.worker());
    field(out, "affinity", r.affinity() == null ? null : r.affinity().describe());
    field(out, "reuse", r.reuse() == null ? null : r.reuse().describe());
    field(out, "attempts", r.attempts() == 0 ? null : Integer.toString(r.attempts()));
    field(out, "error kind", r.errorKind() == null ? null : r.errorKind().name());
    field(out, "error", r.errorMessage());
    field(out, "steps", steps(r.stepMillis()));
    out.flush();
  }

  static void field(PrintWriter out, String name, String value) {
    if (value != null && !value.isEmpty()) {
      out.printf("%-11s %s%n", name + ":", value);
    }
  }

  static String steps(Map<String, Long> stepMillis) {
    if (stepMillis == null || stepMillis.isEmpty()) {
      return null;
    }
    StringBuilder b = new StringBuilder();
    stepMillis.forEach((step, ms) -> b.append(b.length() == 0 ? "" : ", ").append(step).append(' ')
        .append(String.format("%.1f s", ms / 1000.0)));
    return b.toString();
  }

  static void printJson(Object value, PrintWriter out) {
    try {
      out.println(JSON.writeValueAsString(value));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write JSON", e);
    }
    out.flush();
  }

  /** 0 for success, 2 for a rejected request, 1 for anything else. */
  static int exitCode(DeployResult r) {
    if (r.status() == JobStatus.SUCCESS) {
      return ExitCode.OK;
    }
    return r.status() == JobStatus.REJECTED ? ExitCode.USAGE : ExitCode.JOB_FAILED;
  }
}
