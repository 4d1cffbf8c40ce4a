package dev.procgroup.operator.status;

import static org.assertj.core.api.Assertions.assertThat;

import dev.procgroup.api.v1alpha1.ProcessStatus;
import dev.procgroup.api.v1alpha1.RestartPolicySpec;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class CrashLoopPolicyTest {
  final Instant t0 = Instant.parse("2026-11-21T10:00:00Z");
  final CrashLoopPolicy policy = new CrashLoopPolicy(new RestartPolicySpec(2, "5m"));

  ProcessStatus previous(Instant start, int baseline, String phase) {
    ProcessStatus s = new ProcessStatus();
    s.setRestartWindowStart(start.toString());
    s.setRestartsAtWindowStart(baseline);
    s.setPhase(phase);
    return s;
  }

  @Test
  void defaultsAreFiveRestartsInTenMinutes() {
    CrashLoopPolicy d = new CrashLoopPolicy(null);
    assertThat(d.maxRestarts()).isEqualTo(5);
    assertThat(d.window()).isEqualTo(Duration.ofMinutes(10));
  }

  @Test
  void moreRestartsThanAllowedWithinTheWindowIsACrashLoop() {
    assertThat(policy.judge(previous(t0, 4, "Starting"), 6, false, t0.plusSeconds(60)).crashLooping()).isFalse();
    CrashLoopPolicy.Verdict v = policy.judge(previous(t0, 4, "Starting"), 7, false, t0.plusSeconds(60));
    assertThat(v.crashLooping()).isTrue();
    assertThat(v.restartsInWindow()).isEqualTo(3);
  }

  @Test
  void aNewWindowStartsWhenTheOldOneEndsQuietly() {
    CrashLoopPolicy.Verdict v = policy.judge(previous(t0, 0, "Running"), 2, true, t0.plus(Duration.ofMinutes(6)));
    assertThat(v.crashLooping()).isFalse();
    assertThat(v.windowStart()).isEqualTo(t0.plus(Duration.ofMinutes(6)));
    assertThat(v.baseline()).isEqualTo(2);
  }

  @Test
  void aCrashLoopLastsUntilTheProcessIsReadyAgain() {
    ProcessStatus looping = previous(t0, 0, "CrashLoop");
    assertThat(policy.judge(looping, 3, false, t0.plus(Duration.ofMinutes(20))).crashLooping()).isTrue();
    assertThat(policy.judge(looping, 3, true, t0.plus(Duration.ofMinutes(20))).crashLooping()).isFalse();
  }

  @Test
  void replacedPodsLowerTheBaselineInsteadOfGoingNegative() {
    CrashLoopPolicy.Verdict v = policy.judge(previous(t0, 9, "Running"), 1, true, t0.plusSeconds(30));
    assertThat(v.baseline()).isEqualTo(1);
    assertThat(v.restartsInWindow()).isZero();
  }

  @Test
  void durationsParseGoStyle() {
    assertThat(Durations.parse("1h30m", null)).isEqualTo(Duration.ofMinutes(90));
    assertThat(Durations.parse("90s", null)).isEqualTo(Duration.ofSeconds(90));
    assertThat(Durations.parse(null, Duration.ofMinutes(10))).isEqualTo(Duration.ofMinutes(10));
  }
}
