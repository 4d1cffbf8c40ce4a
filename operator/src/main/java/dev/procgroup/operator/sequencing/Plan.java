package dev.procgroup.operator.sequencing;

import java.util.List;
import java.util.OptionalInt;

/**
 * What to do now for a group.
 *
 * @param apply         processes to bring to their desired state now (orders up to and including the first order
 *                      that is not yet current and Ready)
 * @param held          processes that exist but wait for a lower order before they are updated
 * @param waiting       processes not created yet because a lower order is not Ready
 * @param blockingOrder the order everything above waits for; empty when the whole group is current and Ready
 * @param blockedBy     the processes of that order that are not yet current and Ready
 */
public record Plan(List<String> apply, List<String> held, List<String> waiting, OptionalInt blockingOrder,
    List<String> blockedBy) {

  public boolean complete() { return blockingOrder.isEmpty(); }
}
