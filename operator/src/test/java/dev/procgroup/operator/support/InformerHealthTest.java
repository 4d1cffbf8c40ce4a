package dev.procgroup.operator.support;

import static org.assertj.core.api.Assertions.assertThat;

import dev.procgroup.operator.support.HttpEndpoints.Check;
import dev.procgroup.operator.support.InformerHealth.Informer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class InformerHealthTest {
  static final Informer PODS = new Informer("processgroup/pods", true, true, true);
  static final Informer DEPLOYMENTS = new Informer("processgroup/deployments", true, true, true);

  boolean started = true;
  List<Informer> informers = new ArrayList<>(List.of(PODS, DEPLOYMENTS));
  Instant now = Instant.parse("2026-12-01T10:00:00Z");
  final InformerHealth health = new InformerHealth(() -> started, () -> informers, Duration.ofSeconds(60),
      new Clock() {
        @Override public ZoneOffset getZone() { return ZoneOffset.UTC; }
        @Override public Clock withZone(java.time.ZoneId zone) { return this; }
        @Override public Instant instant() { return now; }
      });

  @Test
  void whileStartingTheOperatorIsAliveButNotReady() {
    started = false;
    assertThat(health.liveness()).isEqualTo(Check.ok("starting"));
    assertThat(health.readiness()).isEqualTo(Check.failed("starting"));
  }

  @Test
  void everyInformerSyncedAndWatchingIsAliveAndReady() {
    assertThat(health.liveness().ok()).isTrue();
    assertThat(health.readiness()).isEqualTo(Check.ok("2 informers synced and watching"));
  }

  @Test
  void aStoppedInformerFailsLivenessAtOnce() {
    informers.set(0, new Informer("processgroup/pods", false, true, false));
    assertThat(health.liveness()).isEqualTo(Check.failed("processgroup/pods stopped"));
    assertThat(health.readiness().ok()).isFalse();
  }

  @Test
  void anInformerThatDisappearsCountsAsStopped() {
    health.liveness();
    informers.remove(PODS); // JOSDK forgets the informers of a stopped event source
    assertThat(health.liveness()).isEqualTo(Check.failed("processgroup/pods stopped"));
    assertThat(health.readiness()).isEqualTo(Check.failed("processgroup/pods stopped"));
  }

  @Test
  void aLostWatchFailsReadinessAtOnceAndLivenessOnlyAfterTheStallLimit() {
    informers.set(1, new Informer("processgroup/deployments", true, true, false));
    assertThat(health.readiness()).isEqualTo(Check.failed("processgroup/deployments not watching"));
    assertThat(health.liveness().ok()).isTrue();
    now = now.plusSeconds(59);
    assertThat(health.liveness().ok()).as("59 s without a watch: fabric8 is still reconnecting").isTrue();
    now = now.plusSeconds(1);
    assertThat(health.liveness()).isEqualTo(Check.failed("processgroup/deployments not watching for 60s"));
  }

  @Test
  void aWatchBackInTimeResetsTheStallClock() {
    informers.set(1, new Informer("processgroup/deployments", true, true, false));
    health.liveness();
    now = now.plusSeconds(50);
    informers.set(1, DEPLOYMENTS);
    assertThat(health.liveness().ok()).isTrue();
    informers.set(1, new Informer("processgroup/deployments", true, true, false));
    now = now.plusSeconds(50);
    assertThat(health.liveness().ok()).as("a new outage starts a new clock").isTrue();
  }

  @Test
  void unsyncedInformersAreListedForTheStartupCheck() {
    informers.set(0, new Informer("processgroup/pods", true, false, false));
    assertThat(health.unsynced()).extracting(Informer::name).containsExactly("processgroup/pods");
  }
}
