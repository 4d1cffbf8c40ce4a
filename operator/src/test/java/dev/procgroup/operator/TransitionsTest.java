package dev.procgroup.operator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.procgroup.api.v1alpha1.PodRestarts;
import dev.procgroup.api.v1alpha1.ProcessStatus;
import java.util.List;
import org.junit.jupiter.api.Test;

class TransitionsTest {
  static PodRestarts pod(String name, boolean loop, String... recent) {
    PodRestarts r = new PodRestarts();
    r.setPod(name);
    r.setCrashLoop(loop);
    r.setRecent(List.of(recent));
    r.setRestarts(recent.length);
    return r;
  }

  @Test
  void theCrashLoopEventNamesEachLoopingPodWithItsRestartsInTheWindowNotASumOverReplicas() {
    ProcessStatus p = new ProcessStatus();
    p.setRestarts(9);
    p.setPodRestarts(List.of(pod("web-a", true, "t1", "t2", "t3"), pod("web-b", false, "t1")));
    assertThat(Transitions.loopingPods(p)).isEqualTo("pod web-a: 3 restarts within the window");
  }

  @Test
  void withoutPerPodBookkeepingTheTotalIsSaid() {
    ProcessStatus p = new ProcessStatus();
    p.setRestarts(4);
    assertThat(Transitions.loopingPods(p)).isEqualTo("4 restarts");
  }
}
