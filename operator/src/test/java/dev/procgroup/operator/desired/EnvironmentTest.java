package dev.procgroup.operator.desired;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.EnvVar;
import java.util.List;
import org.junit.jupiter.api.Test;

class EnvironmentTest {
  @Test
  void laterLayersWinAndKeepTheFirstPosition() {
    List<EnvVar> merged = Environment.merge(
        List.of(Environment.value("NODE_ENV", "production"), Environment.value("LOG", "info")),
        List.of(Environment.value("LOG", "debug"), Environment.value("PORT", "5511")),
        null);
    assertThat(merged).extracting(EnvVar::getName).containsExactly("NODE_ENV", "LOG", "PORT");
    assertThat(merged).extracting(EnvVar::getValue).containsExactly("production", "debug", "5511");
  }
}
