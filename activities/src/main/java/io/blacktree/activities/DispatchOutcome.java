package io.blacktree.activities;

import io.blacktree.core.ImageAttestation;
import java.util.List;
import java.util.Map;

/**
 * A job that succeeded on a build worker. Failures are not outcomes: they are {@code ApplicationFailure}s
 * typed by {@code ErrorKind} whose details are a {@link DispatchFailure}.
 *
 * @param stepMillis    lowercase step name to milliseconds
 * @param logs          bounded (head + tail + dropped count, at most 64 KiB) and redacted
 * @param alreadyPushed the tag already held this job's image from an earlier attempt
 * @param attestation   the provenance the worker attached to the image; null from a worker that attaches none
 * @param host          the build host ({@code --host-id} of the orchestrator that ran the dispatch)
 */
public record DispatchOutcome(
    String worker,
    String imageUrl,
    String digest,
    String commitSha,
    List<String> tags,
    Map<String, Long> stepMillis,
    String logs,
    boolean alreadyPushed,
    ImageAttestation attestation,
    String host) {}
