package dev.procgroup.sidecar;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class PromTest {

  @Test
  void countersAndGaugesAreWrittenWithHelpTypeAndEscapedLabels() {
    Prom.Simple c = Prom.counter("x_total", "Things.", "object");
    c.inc("a\"b\\c\nd");
    c.add(2, "plain");
    StringBuilder sb = new StringBuilder();
    c.write(sb);
    assertThat(sb.toString()).isEqualTo("""
        # HELP x_total Things.
        # TYPE x_total counter
        x_total{object="a\\"b\\\\c\\nd"} 1
        x_total{object="plain"} 2
        """);
  }

  @Test
  void histogramBucketsAreCumulativeWithSumAndCount() {
    Prom.Histogram h = new Prom.Histogram("lat_seconds", "Latency.", new double[] {0.001, 0.01}, "m");
    h.observe(0.0005, "a");
    h.observe(0.001, "a");
    h.observe(0.005, "a");
    h.observe(3, "a");
    StringBuilder sb = new StringBuilder();
    h.write(sb);
    assertThat(sb.toString()).contains(
        "lat_seconds_bucket{m=\"a\",le=\"0.001\"} 2\n",
        "lat_seconds_bucket{m=\"a\",le=\"0.01\"} 3\n",
        "lat_seconds_bucket{m=\"a\",le=\"+Inf\"} 4\n",
        "lat_seconds_sum{m=\"a\"} 3.0065\n",
        "lat_seconds_count{m=\"a\"} 4\n");
    assertThat(h.count("a")).isEqualTo(4);
  }

  @Test
  void largeAndTinyValuesAreWrittenAsPlainDecimals() {
    StringBuilder sb = new StringBuilder();
    Prom.number(sb, 1.79525648087E9);
    sb.append(' ');
    Prom.number(sb, 0.00012);
    sb.append(' ');
    Prom.number(sb, 42);
    assertThat(sb.toString()).isEqualTo("1795256480.87 0.00012 42");
  }

  @Test
  void seriesBeyondTheCapFoldIntoOther() {
    Prom.Simple c = Prom.counter("y_total", "Y.", "object");
    for (int i = 0; i < Prom.MAX_SERIES + 10; i++) c.inc("o" + i);
    assertThat(c.get("_other")).isEqualTo(10);
    assertThat(c.get("o5")).isEqualTo(1);
  }

  @Test
  void wrongLabelCountIsAProgrammingError() {
    Prom.Simple c = Prom.counter("z_total", "Z.", "a", "b");
    assertThatThrownBy(() -> c.inc("only-one")).isInstanceOf(IllegalArgumentException.class);
  }
}
