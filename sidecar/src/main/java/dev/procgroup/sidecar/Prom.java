package dev.procgroup.sidecar;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A tiny Prometheus text-format (0.0.4) registry: counters, gauges and histograms with labels. Hand-written
 * instead of Micrometer + its Prometheus registry to keep the sidecar's loaded classes (and RSS) small; it is
 * only touched from the sidecar's event loop, so plain fields suffice.
 */
final class Prom {

  /** Past this many label sets a family folds new ones into one "_other" series (bounded memory). */
  static final int MAX_SERIES = 1000;

  private Prom() {}

  abstract static class Family {
    final String name;
    final String help;
    final String type;
    final String[] labelNames;

    Family(String name, String help, String type, String... labelNames) {
      this.name = name;
      this.help = help;
      this.type = type;
      this.labelNames = labelNames;
    }

    void header(StringBuilder sb) {
      sb.append("# HELP ").append(name).append(' ').append(help).append('\n');
      sb.append("# TYPE ").append(name).append(' ').append(type).append('\n');
    }

    abstract void write(StringBuilder sb);

    <T> T series(Map<List<String>, T> map, String[] labels, java.util.function.Supplier<T> create) {
      if (labels.length != labelNames.length) {
        throw new IllegalArgumentException(name + " takes labels " + Arrays.toString(labelNames));
      }
      List<String> key = List.of(labels);
      T s = map.get(key);
      if (s == null) {
        if (map.size() >= MAX_SERIES) {
          String[] other = new String[labels.length];
          Arrays.fill(other, "_other");
          key = List.of(other);
          s = map.get(key);
          if (s != null) return s;
        }
        s = create.get();
        map.put(key, s);
      }
      return s;
    }

    void labels(StringBuilder sb, List<String> values, String extraName, String extraValue) {
      if (labelNames.length == 0 && extraName == null) return;
      sb.append('{');
      boolean first = true;
      for (int i = 0; i < labelNames.length; i++) {
        if (!first) sb.append(',');
        first = false;
        sb.append(labelNames[i]).append("=\"");
        escape(sb, values.get(i));
        sb.append('"');
      }
      if (extraName != null) {
        if (!first) sb.append(',');
        sb.append(extraName).append("=\"").append(extraValue).append('"');
      }
      sb.append('}');
    }
  }

  static void escape(StringBuilder sb, String v) {
    for (int i = 0; i < v.length(); i++) {
      char c = v.charAt(i);
      switch (c) {
        case '\\' -> sb.append("\\\\");
        case '"' -> sb.append("\\\"");
        case '\n' -> sb.append("\\n");
        default -> sb.append(c);
      }
    }
  }

  static void number(StringBuilder sb, double v) {
    if (v == Math.rint(v) && Math.abs(v) < 1e15) sb.append((long) v);
    else if (Double.isNaN(v)) sb.append("NaN");
    else if (Double.isInfinite(v)) sb.append(v > 0 ? "+Inf" : "-Inf");
    else if (Math.abs(v) >= 1e7 || (v != 0 && Math.abs(v) < 1e-3)) sb.append(java.math.BigDecimal.valueOf(v).toPlainString());
    else sb.append(v);
  }

  /** Counter or gauge: one double per label set. */
  static final class Simple extends Family {
    private final Map<List<String>, double[]> values = new LinkedHashMap<>();

    Simple(String name, String help, String type, String... labelNames) {
      super(name, help, type, labelNames);
    }

    void inc(String... labels) {
      add(1, labels);
    }

    void add(double v, String... labels) {
      series(values, labels, () -> new double[1])[0] += v;
    }

    void set(double v, String... labels) {
      series(values, labels, () -> new double[1])[0] = v;
    }

    double get(String... labels) {
      double[] v = values.get(List.of(labels));
      return v == null ? 0 : v[0];
    }

    @Override void write(StringBuilder sb) {
      header(sb);
      for (Map.Entry<List<String>, double[]> e : values.entrySet()) {
        sb.append(name);
        labels(sb, e.getKey(), null, null);
        sb.append(' ');
        number(sb, e.getValue()[0]);
        sb.append('\n');
      }
    }
  }

  static Simple counter(String name, String help, String... labels) {
    return new Simple(name, help, "counter", labels);
  }

  static Simple gauge(String name, String help, String... labels) {
    return new Simple(name, help, "gauge", labels);
  }

  /** Cumulative-bucket histogram, values in seconds. */
  static final class Histogram extends Family {
    private final double[] bounds;
    private final String[] boundLabels;
    private final Map<List<String>, long[]> counts = new LinkedHashMap<>();
    private final Map<List<String>, double[]> sums = new LinkedHashMap<>();

    Histogram(String name, String help, double[] bounds, String... labelNames) {
      super(name, help, "histogram", labelNames);
      this.bounds = bounds;
      this.boundLabels = new String[bounds.length];
      for (int i = 0; i < bounds.length; i++) {
        // Plain decimals ("0.0001", not "1.0E-4") read better in queries: le="0.0001".
        String plain = java.math.BigDecimal.valueOf(bounds[i]).stripTrailingZeros().toPlainString();
        boundLabels[i] = plain;
      }
    }

    void observe(double v, String... labels) {
      long[] c = series(counts, labels, () -> new long[bounds.length + 1]);
      double[] s = series(sums, labels, () -> new double[1]);
      int i = 0;
      while (i < bounds.length && v > bounds[i]) i++;
      c[i]++;
      s[0] += v;
    }

    long count(String... labels) {
      long[] c = counts.get(List.of(labels));
      if (c == null) return 0;
      long n = 0;
      for (long x : c) n += x;
      return n;
    }

    @Override void write(StringBuilder sb) {
      header(sb);
      for (Map.Entry<List<String>, long[]> e : counts.entrySet()) {
        long cumulative = 0;
        long[] c = e.getValue();
        for (int i = 0; i <= bounds.length; i++) {
          cumulative += c[i];
          sb.append(name).append("_bucket");
          labels(sb, e.getKey(), "le", i < bounds.length ? boundLabels[i] : "+Inf");
          sb.append(' ').append(cumulative).append('\n');
        }
        sb.append(name).append("_sum");
        labels(sb, e.getKey(), null, null);
        sb.append(' ');
        number(sb, sums.get(e.getKey())[0]);
        sb.append('\n');
        sb.append(name).append("_count");
        labels(sb, e.getKey(), null, null);
        sb.append(' ').append(cumulative).append('\n');
      }
    }
  }

  static final double[] LATENCY_BUCKETS = {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1,
      0.25, 0.5, 1, 2.5, 5, 10, 30, 60};
}
