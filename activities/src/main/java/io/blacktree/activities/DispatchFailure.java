package io.blacktree.activities;

import io.blacktree.core.ErrorKind;

/**
 * The details of a failed dispatch's {@code ApplicationFailure} (its type is {@code errorKind.name()}),
 * so that every attempt's error and log tail are in workflow history.
 *
 * @param worker  {@code host:port} of the worker that ran the attempt, or null if none was reached
 * @param message redacted, at most a few KiB
 * @param logs    bounded (at most 64 KiB) and redacted
 */
public record DispatchFailure(String worker, ErrorKind errorKind, String message, String logs) {}
