package dev.procgroup.operator.support;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.config.MeterFilter;
import java.util.Set;

/**
 * Keeps the operator's /metrics clean under {@code promtool check metrics}: every series gets HELP text (JOSDK
 * registers its meters without descriptions), and two binder meters whose names break Prometheus' naming rules
 * ({@code system_cpu_count}, {@code process_cpu_time_ns_total}) are dropped; {@code process_cpu_usage} and
 * {@code system_cpu_usage} remain. Must be applied before any meter is registered.
 */
public final class MetricsHygiene {
  private static final Set<String> DROPPED = Set.of("system.cpu.count", "process.cpu.time");

  private MetricsHygiene() {}

  public static void apply(MeterRegistry registry) {
    registry.config()
        .meterFilter(MeterFilter.deny(id -> DROPPED.contains(id.getName())))
        .meterFilter(new MeterFilter() {
          @Override
          public Meter.Id map(Meter.Id id) {
            if (id.getDescription() != null && !id.getDescription().isBlank()) return id;
            return new Meter.Id(id.getName(), Tags.of(id.getTags()), id.getBaseUnit(),
                "java-operator-sdk: " + id.getName().replace('.', ' '), id.getType());
          }
        });
  }
}
