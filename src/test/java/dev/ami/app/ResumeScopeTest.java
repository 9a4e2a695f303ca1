package dev.ami.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ami.checkpoint.Scope;
import dev.ami.cluster.ClusterOptions;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class ResumeScopeTest {
  private static ClusterOptions role(String role) {
    return ClusterOptions.of(role, List.of(), "127.0.0.1", ClusterOptions.DEFAULT_PORT);
  }

  @Test
  @DisplayName("each node takes its own share of a checkpoint; evaluation takes the weights, every model of them")
  void scopes() {
    assertThat(RunCommand.resumeScope(null, false)).isEqualTo(Scope.ALL);
    assertThat(RunCommand.resumeScope(role("all"), false)).isEqualTo(Scope.ALL);
    assertThat(RunCommand.resumeScope(role("agent"), false)).isEqualTo(Scope.AGENT);
    assertThat(RunCommand.resumeScope(role("trainer"), false)).isEqualTo(Scope.TRAINER);
    assertThat(RunCommand.resumeScope(role("console"), false)).as("nothing to resume").isNull();
    assertThat(RunCommand.resumeScope(null, true)).isEqualTo(Scope.WEIGHTS);
    assertThat(RunCommand.resumeScope(role("agent"), true)).isEqualTo(Scope.WEIGHTS);
  }

  @Test
  @DisplayName("only an agent node takes a subset of the models; only a trainer loads optimizers and buffers")
  void whatEachTakes() {
    assertThat(List.of(Scope.values())).filteredOn(Scope::takesSubset).containsExactly(Scope.AGENT);
    assertThat(List.of(Scope.values())).filteredOn(Scope::takesAgentPart)
        .containsExactlyInAnyOrder(Scope.AGENT, Scope.WEIGHTS);
    assertThat(List.of(Scope.values())).filteredOn(Scope::loadsTrainer)
        .containsExactlyInAnyOrder(Scope.ALL, Scope.TRAINER);
    assertThat(List.of(Scope.values())).filteredOn(Scope::loadsAgent)
        .containsExactlyInAnyOrder(Scope.ALL, Scope.AGENT, Scope.WEIGHTS);
  }
}
