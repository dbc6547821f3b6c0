package dev.parigot.kernel.core;

/**
 * An event queued for a process. Handles are bound when the process reads the event (see {@link
 * Process}), so events carry the object they concern rather than a number.
 *
 * @param kind an {@link dev.parigot.abi.EventKind} value
 * @param code the record's code field
 * @param payload the bytes copied into the guest's payload buffer
 * @param subject the {@link Channel}, {@link IncomingCall} or {@link LinkEnd} the event is about
 */
record Event(int kind, int code, byte[] payload, Object subject) {}
