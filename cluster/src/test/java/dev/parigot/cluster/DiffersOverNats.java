package dev.parigot.cluster;

import java.util.Map;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Skips, with the reason, the conformance cases whose promise a network cannot keep as one JVM does
 * (RATIONALE.md, "Why credits for streams over NATS?"). Registered for every test of this module
 * (junit-platform.properties); it touches nothing else.
 */
public final class DiffersOverNats implements ExecutionCondition {
  private static final String PACED =
      "over NATS a stream to a caller that stops reading is paced by credits (the provider"
          + " waits); one kernel fails it at the caller's queue bound, which this case counts";
  private static final String ASYNC_CANCEL =
      "a cancel crosses the network after the call: a server that reads the call or replies in"
          + " that gap sees the call (its reply is dropped at the caller); one kernel cancels"
          + " synchronously";

  private static final Map<String, String> SKIPPED =
      Map.of(
          "ConfQueueBoundTest#partialsToACallerThatDoesNotReadFailTheChannelAndCancelTheServersCall",
          PACED,
          "ConfQueueBoundTest#emptyPartialsCountTheirRecordsSoTheyAreBoundedToo",
          PACED,
          "ConfQueueBoundTest#eventsAWaitLookedAtButDidNotDeliverStillCountAsUnread",
          PACED,
          "ConfCancelTest#aCallCancelledBeforeTheServerReadItIsNeverDelivered",
          ASYNC_CANCEL,
          "ConfDeadlineTest#aPassedDeadlineIsTimedOutAtTheCallerAndCancelsTheCallAtTheServer",
          ASYNC_CANCEL);

  /** Made by JUnit's extension auto-detection. */
  public DiffersOverNats() {}

  @Override
  public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
    if (context.getTestMethod().isEmpty()) {
      return ConditionEvaluationResult.enabled("a class");
    }
    String key =
        context.getRequiredTestClass().getSimpleName()
            + "#"
            + context.getRequiredTestMethod().getName();
    String reason = SKIPPED.get(key);
    return reason == null
        ? ConditionEvaluationResult.enabled("runs over NATS as in one kernel")
        : ConditionEvaluationResult.disabled("differs over NATS: " + reason);
  }
}
