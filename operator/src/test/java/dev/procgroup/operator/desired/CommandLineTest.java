package dev.procgroup.operator.desired;

import static org.assertj.core.api.Assertions.assertThat;

import dev.procgroup.api.v1alpha1.ProcessSpec;
import java.util.List;
import org.junit.jupiter.api.Test;

class CommandLineTest {
  @Test
  void argvGoesAfterTheInterpreterAndArgsAfterTheScript() {
    ProcessSpec p = new ProcessSpec();
    p.setEntry(List.of("node", "server.js"));
    p.setArgv(List.of("--max-old-space-size=512", "--trace-warnings"));
    p.setArgs(List.of("--port", "5511"));
    CommandLine c = CommandLine.of(p);
    assertThat(c.command()).containsExactly("node", "--max-old-space-size=512", "--trace-warnings", "server.js");
    assertThat(c.args()).containsExactly("--port", "5511");
  }

  @Test
  void withoutEntryTheImageEntrypointRunsWithArgs() {
    ProcessSpec p = new ProcessSpec();
    p.setArgs(List.of("--verbose"));
    CommandLine c = CommandLine.of(p);
    assertThat(c.command()).isNull();
    assertThat(c.args()).containsExactly("--verbose");
  }
}
