package dev.procgroup.sidecar;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.util.Map;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/** The sidecar's name checks against the shared cases (clients/conformance/cases/names.json). */
class NamesConformanceTest {

  private static final Map<String, Predicate<String>> CHECKS = Map.of("object", Names::validObject,
      "method", Names::validMethod, "event", Names::validEvent, "process", Names::validProcess, "pod", Names::validPod,
      "traceparent", NamesConformanceTest::validTraceparent);

  private static boolean validTraceparent(String header) {
    try {
      return TraceContext.fromHeaders(header, null) != null;
    } catch (HubError e) {
      return false;
    }
  }

  @Test
  void everyRuleAcceptsAndRefusesTheSharedCases() {
    JsonObject names = Conformance.cases("names");
    assertThat(names.fieldNames().stream().filter(k -> !k.startsWith("$"))).containsExactlyInAnyOrderElementsOf(CHECKS.keySet());
    CHECKS.forEach((kind, check) -> {
      for (Object s : names.getJsonObject(kind).getJsonArray("valid")) {
        assertThat(check.test((String) s)).as("%s %s valid", kind, s).isTrue();
      }
      for (Object s : names.getJsonObject(kind).getJsonArray("invalid")) {
        assertThat(check.test((String) s)).as("%s %s invalid", kind, s).isFalse();
      }
    });
  }

  @Test
  void theLimitsComeFromTheSharedRules() {
    assertThat(AppApi.DEFAULT_TIMEOUT_MS).isEqualTo(30_000);
    assertThat(AppApi.MAX_TIMEOUT_MS).isEqualTo(600_000);
    assertThat(SidecarConfig.builder().group("shop").process("web").podName("web-1").hubToken("t").build().maxBodyBytes)
        .isEqualTo(1 << 20);
  }
}
