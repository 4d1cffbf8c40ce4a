package dev.procgroup.operator.sequencing;

import java.util.List;
import java.util.OptionalInt;

/**
 * What to do now for a group.
 *
 * @param apply         processes to bring to their desired state now (orders up to and including the first order
 *                      that is not yet current and available)
 * @param held          processes that exist but wait for a lower order before they are updated; they keep running
 *                      as they are
 * @param waiting       processes not created yet because a lower order is not available
 * @param blockingOrder the order everything above waits for; empty when every process is current and available
 *                      (processes with scale 0 never block)
 * @param blockedBy     the processes of that order that are not yet current and available
 */
public record Plan(List<String> apply, List<String> held, List<String> waiting, OptionalInt blockingOrder,
    List<String> blockedBy) {

  public boolean complete() { return blockingOrder.isEmpty(); }
}
