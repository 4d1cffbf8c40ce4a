package dev.procgroup.operator.status;

import static org.assertj.core.api.Assertions.assertThat;

import dev.procgroup.api.v1alpha1.PodRestarts;
import dev.procgroup.api.v1alpha1.ProcessStatus;
import dev.procgroup.api.v1alpha1.RestartPolicySpec;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** spec.restart as a sliding window per pod, with its bookkeeping in the status. */
class CrashLoopPolicyTest {
  final Instant t0 = Instant.parse("2026-11-21T10:00:00Z");
  final CrashLoopPolicy policy = new CrashLoopPolicy(new RestartPolicySpec(2, "5m"));

  /** A pod of process "web" created at t0, whose container restarted {@code restarts} times, the last at finishedAt. */
  Pod pod(String name, int restarts, Instant finishedAt, boolean ready) {
    return new PodBuilder().withNewMetadata().withName(name).withCreationTimestamp(t0.toString()).endMetadata()
        .withNewStatus()
        .addNewContainerStatus().withName("web").withReady(ready).withRestartCount(restarts)
          .withNewLastState().withNewTerminated().withExitCode(1).withReason("Error")
            .withFinishedAt(finishedAt == null ? null : finishedAt.toString()).endTerminated().endLastState()
        .endContainerStatus()
        .addNewContainerStatus().withName("procgroup-hub").withReady(true).withRestartCount(40).endContainerStatus()
        .endStatus().build();
  }

  Instant at(long seconds) { return t0.plusSeconds(seconds); }

  /** Observes pod "web-a" restart once at each of the given times, carrying the state along as the status does. */
  CrashLoopPolicy.Verdict restartsAt(long... seconds) {
    CrashLoopPolicy.Verdict v = policy.judge(null, List.of(pod("web-a", 0, null, true)), "web", t0);
    for (int i = 0; i < seconds.length; i++) {
      v = policy.judge(v.state(), List.of(pod("web-a", i + 1, at(seconds[i]), false)), "web", at(seconds[i]));
    }
    return v;
  }

  @Test
  void defaultsAreFiveRestartsInTenMinutes() {
    CrashLoopPolicy d = new CrashLoopPolicy(null);
    assertThat(d.maxRestarts()).isEqualTo(5);
    assertThat(d.window()).isEqualTo(Duration.ofMinutes(10));
  }

  @Test
  void moreThanMaxRestartsOfOnePodWithinTheWindowIsACrashLoop() {
    assertThat(restartsAt(10, 40).crashLooping()).isFalse();
    CrashLoopPolicy.Verdict v = restartsAt(10, 40, 90);
    assertThat(v.crashLooping()).isTrue();
    assertThat(v.pod()).isEqualTo("web-a");
    assertThat(v.restartsInWindow()).isEqualTo(3);
    assertThat(v.state()).singleElement().isEqualTo(new PodRestarts("web-a", 3,
        List.of(at(10).toString(), at(40).toString(), at(90).toString()), true));
  }

  @Test
  void theWindowSlides() {
    // three restarts within 2 minutes, across where a fixed window starting at t0 would have ended (t0 + 5m)
    assertThat(restartsAt(240, 330, 360).crashLooping()).isTrue();
    // three restarts, but never more than two within any 5 minutes
    CrashLoopPolicy.Verdict v = restartsAt(1, 180, 360);
    assertThat(v.crashLooping()).isFalse();
    assertThat(v.state().get(0).getRecent()).as("the restart older than the window is forgotten")
        .containsExactly(at(180).toString(), at(360).toString());
  }

  @Test
  void restartsOfDifferentPodsAreNeverAddedUp() {
    List<Pod> before = List.of(pod("web-a", 0, null, true), pod("web-b", 0, null, true), pod("web-c", 0, null, true));
    CrashLoopPolicy.Verdict v = policy.judge(null, before, "web", t0);
    List<Pod> after = List.of(pod("web-a", 2, at(20), false), pod("web-b", 2, at(30), false),
        pod("web-c", 2, at(40), false));
    v = policy.judge(v.state(), after, "web", at(40));
    assertThat(v.crashLooping()).as("six restarts, two per pod, limit two per pod").isFalse();
    assertThat(v.state()).extracting(PodRestarts::getPod).containsExactly("web-a", "web-b", "web-c");
  }

  @Test
  void theBookkeepingSurvivesAnOperatorRestartThroughTheStatus() {
    CrashLoopPolicy.Verdict v = restartsAt(10, 40);
    ProcessStatus written = new ProcessStatus();
    written.setPodRestarts(v.state());
    // what a new operator reads back from the API server
    ProcessStatus read = Serialization.unmarshal(Serialization.asJson(written), ProcessStatus.class);
    assertThat(read).isEqualTo(written);
    CrashLoopPolicy.Verdict next = policy.judge(read.getPodRestarts(), List.of(pod("web-a", 3, at(90), false)), "web",
        at(90));
    assertThat(next.crashLooping()).isTrue();
    assertThat(next.restartsInWindow()).isEqualTo(3);
    // and a restart count it has seen already is not counted again
    CrashLoopPolicy.Verdict again = policy.judge(restartsAt(10).state(), List.of(pod("web-a", 1, at(10), true)),
        "web", at(100));
    assertThat(again.state()).singleElement().satisfies(p -> assertThat(p.getRecent()).containsExactly(at(10).toString()));
  }

  @Test
  void restartsMissedWhileTheOperatorWasAwayAreSpreadSinceThePodStarted() {
    // created at t0, first seen an hour later with 6 restarts: one every 10 minutes, no loop
    CrashLoopPolicy.Verdict slow = policy.judge(null, List.of(pod("web-a", 6, at(3600), false)), "web", at(3600));
    assertThat(slow.crashLooping()).isFalse();
    assertThat(slow.state().get(0).getRecent()).containsExactly(at(3600).toString());
    // first seen two minutes after its creation with 6 restarts: a loop
    CrashLoopPolicy.Verdict fast = policy.judge(null, List.of(pod("web-a", 6, at(120), false)), "web", at(120));
    assertThat(fast.crashLooping()).isTrue();
    assertThat(fast.state().get(0).getRecent()).containsExactly(at(80).toString(), at(100).toString(),
        at(120).toString());
  }

  @Test
  void theStateIsBounded() {
    CrashLoopPolicy.Verdict v = policy.judge(null, List.of(pod("web-a", 500, at(4000), false),
        pod("web-b", 0, null, true), pod("web-c", 1, at(100), true)), "web", at(4000));
    assertThat(v.state()).extracting(PodRestarts::getPod).as("pods that never restarted are not kept")
        .containsExactly("web-a", "web-c");
    assertThat(v.state().get(0).getRecent()).as("at most maxRestarts + 1 times").hasSize(3);
    assertThat(v.state().get(1).getRecent()).as("restarts older than the window are not kept").isNull();
    assertThat(v.state().get(1).getRestarts()).isEqualTo(1);
    CrashLoopPolicy.Verdict gone = policy.judge(v.state(), List.of(pod("web-c", 1, at(100), true)), "web", at(4010));
    assertThat(gone.state()).as("pods that are gone are dropped").extracting(PodRestarts::getPod)
        .containsExactly("web-c");
    Pod terminating = pod("web-c", 9, at(4005), false);
    terminating.getMetadata().setDeletionTimestamp(at(4005).toString());
    assertThat(policy.judge(gone.state(), List.of(terminating), "web", at(4010)).state())
        .as("terminating pods do not count").isEmpty();
  }

  @Test
  void aCrashLoopLastsUntilThePodsContainerIsReadyAgain() {
    CrashLoopPolicy.Verdict looping = restartsAt(10, 40, 90);
    Instant later = at(90).plus(Duration.ofMinutes(20)); // every restart is out of the window by now
    CrashLoopPolicy.Verdict backingOff = policy.judge(looping.state(), List.of(pod("web-a", 3, at(90), false)), "web",
        later);
    assertThat(backingOff.crashLooping()).isTrue();
    assertThat(backingOff.restartsInWindow()).isZero();
    CrashLoopPolicy.Verdict ready = policy.judge(backingOff.state(), List.of(pod("web-a", 3, at(90), true)), "web",
        later);
    assertThat(ready.crashLooping()).isFalse();
    assertThat(ready.state()).singleElement().isEqualTo(new PodRestarts("web-a", 3, List.of(), false));
  }

  @Test
  void readyAgainWithinTheWindowIsStillACrashLoopUntilTheRestartsLeaveIt() {
    CrashLoopPolicy.Verdict looping = restartsAt(10, 40, 90);
    CrashLoopPolicy.Verdict ready = policy.judge(looping.state(), List.of(pod("web-a", 3, at(90), true)), "web",
        at(120));
    assertThat(ready.crashLooping()).as("three restarts within 5m, whether Ready now or not").isTrue();
    assertThat(policy.reviewAt(ready.state())).as("no event marks the moment the first restart leaves the window")
        .hasValue(at(10).plus(Duration.ofMinutes(5)));
    assertThat(policy.judge(ready.state(), List.of(pod("web-a", 3, at(90), true)), "web", at(10 + 300)).crashLooping())
        .isFalse();
    assertThat(policy.reviewAt(restartsAt(10, 40).state())).isEmpty();
  }

  @Test
  void theHubSidecarsRestartsAreNotTheApps() {
    assertThat(policy.judge(null, List.of(pod("web-a", 0, null, true)), "web", t0).state())
        .as("the sidecar restarted 40 times").isEmpty();
  }

  @Test
  void durationsParseGoStyle() {
    assertThat(Durations.parse("1h30m", null)).isEqualTo(Duration.ofMinutes(90));
    assertThat(Durations.parse("90s", null)).isEqualTo(Duration.ofSeconds(90));
    assertThat(Durations.parse(null, Duration.ofMinutes(10))).isEqualTo(Duration.ofMinutes(10));
  }
}
