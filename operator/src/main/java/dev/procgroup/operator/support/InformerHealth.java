package dev.procgroup.operator.support;

import dev.procgroup.operator.support.HttpEndpoints.Check;
import io.javaoperatorsdk.operator.RegisteredController;
import io.javaoperatorsdk.operator.RuntimeInfo;
import io.javaoperatorsdk.operator.api.reconciler.Constants;
import io.javaoperatorsdk.operator.health.InformerHealthIndicator;
import io.javaoperatorsdk.operator.health.InformerWrappingEventSourceHealthIndicator;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * The operator's informers as {@code /readyz} and {@code /healthz} judge them.
 * <ul>
 *   <li>Ready: every informer is running, has synced its cache and is watching.</li>
 *   <li>Alive: no informer has stopped, and none has been unsynced or without its watch for longer than the stall
 *       limit. A short API-server outage leaves the operator alive but unready: fabric8 reconnects with backoff,
 *       and a restart would only add the kubelet's crash-loop delay once the API server is back. An informer that
 *       stopped, or stays down past the limit, is not coming back; a fresh process is.</li>
 * </ul>
 * While JOSDK is still starting, liveness holds (start-up is bounded on its own, see ProcgroupOperator).
 */
public final class InformerHealth {
  /** One informer: an event source of a controller, in one namespace (or all). */
  public record Informer(String name, boolean running, boolean synced, boolean watching) {
    public boolean healthy() { return running && synced && watching; }

    String problem() {
      return name + (!running ? " stopped" : !synced ? " not synced" : " not watching");
    }
  }

  private final BooleanSupplier started;
  private final Supplier<List<Informer>> informers;
  private final Duration stallLimit;
  private final Clock clock;
  private final Map<String, Instant> unhealthySince = new HashMap<>();
  /** Every informer seen so far: JOSDK drops a stopped event source's informers from its health view. */
  private final Set<String> known = new TreeSet<>();

  public InformerHealth(BooleanSupplier started, Supplier<List<Informer>> informers, Duration stallLimit,
      Clock clock) {
    this.started = started;
    this.informers = informers;
    this.stallLimit = stallLimit;
    this.clock = clock;
  }

  /** Every informer JOSDK runs for every registered controller. Call only once the operator has started. */
  @SuppressWarnings({"rawtypes", "unchecked"}) // JOSDK's health API is raw-typed
  public static List<Informer> of(RuntimeInfo runtime) {
    List<Informer> all = new ArrayList<>();
    for (RegisteredController<?> c : runtime.getRegisteredControllers()) {
      String controller = c.getConfiguration().getName();
      Map<String, InformerWrappingEventSourceHealthIndicator> sources =
          c.getControllerHealthInfo().informerEventSourceHealthIndicators();
      sources.forEach((source, indicator) -> {
        Map<String, InformerHealthIndicator> byNamespace = indicator.informerHealthIndicators();
        byNamespace.forEach((namespace, i) -> all.add(informer(controller + "/" + source
            + (Constants.WATCH_ALL_NAMESPACES.equals(namespace) ? "" : " in " + namespace), i)));
      });
    }
    return all;
  }

  private static Informer informer(String name, InformerHealthIndicator i) {
    return new Informer(name, i.isRunning(), i.hasSynced(), i.isWatching());
  }

  public synchronized Check readiness() {
    if (!started.getAsBoolean()) return Check.failed("starting");
    List<Informer> all = current();
    List<String> problems = all.stream().filter(i -> !i.healthy()).map(Informer::problem).toList();
    return problems.isEmpty() ? Check.ok(all.size() + " informers synced and watching")
        : Check.failed(String.join("; ", problems));
  }

  public synchronized Check liveness() {
    if (!started.getAsBoolean()) return Check.ok("starting");
    Instant now = clock.instant();
    List<Informer> all = current();
    unhealthySince.keySet().retainAll(all.stream().filter(i -> !i.healthy()).map(Informer::name)
        .collect(Collectors.toSet()));
    List<String> fatal = new ArrayList<>();
    for (Informer i : all) {
      if (i.healthy()) continue;
      Instant since = unhealthySince.computeIfAbsent(i.name(), k -> now);
      if (!i.running()) {
        fatal.add(i.problem());
      } else if (!now.isBefore(since.plus(stallLimit))) {
        fatal.add(i.problem() + " for " + Duration.between(since, now).toSeconds() + "s");
      }
    }
    return fatal.isEmpty() ? Check.ok(all.size() + " informers running") : Check.failed(String.join("; ", fatal));
  }

  /** What JOSDK reports, plus every informer it reported before and no longer does, as stopped. */
  private List<Informer> current() {
    List<Informer> all = new ArrayList<>(informers.get());
    Set<String> present = all.stream().map(Informer::name).collect(Collectors.toSet());
    known.addAll(present);
    for (String gone : known) {
      if (!present.contains(gone)) all.add(new Informer(gone, false, false, false));
    }
    return all;
  }

  /** The informers that have not synced, for the start-up check; from here on, each must stay. */
  public synchronized List<Informer> unsynced() {
    return current().stream().filter(i -> !i.synced()).toList();
  }
}
