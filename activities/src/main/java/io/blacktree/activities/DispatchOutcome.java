package io.blacktree.activities;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import io.blacktree.core.BuildReuse;
import io.blacktree.core.ImageAttestation;
import java.util.List;
import java.util.Map;

/**
 * A job that succeeded on a build worker. Failures are not outcomes: they are {@code ApplicationFailure}s
 * typed by {@code ErrorKind} whose details are a {@link DispatchFailure}. Unknown fields are ignored, so an
 * outcome recorded in a workflow's history with fields this record does not have still replays.
 *
 * @param stepMillis    lowercase step name to milliseconds
 * @param logs          bounded (head + tail + dropped count, at most 64 KiB) and redacted
 * @param reuse         what the job reused (the worker's reuse summary); null in outcomes recorded without one
 * @param attestation   the provenance the worker attached to the image; null from a worker that attaches none
 * @param host          the build host ({@code --host-id} of the orchestrator that ran the dispatch)
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record DispatchOutcome(
    String worker,
    String imageUrl,
    String digest,
    String commitSha,
    List<String> tags,
    Map<String, Long> stepMillis,
    String logs,
    BuildReuse reuse,
    ImageAttestation attestation,
    String host) {}
