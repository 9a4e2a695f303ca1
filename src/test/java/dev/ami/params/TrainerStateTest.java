package dev.ami.params;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDManager;
import dev.ami.params.ParamSnapshot;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class TrainerStateTest {

  @Test
  @DisplayName("a second close does nothing: the snapshots are released once, the first failure keeps its message")
  void closesOnce() {
    NDManager snapshotManager = NDManager.newBaseManager();
    ParamSnapshot p = ParamSnapshot.restored("vae", 1, 0, "", Map.of("g", List.of(snapshotManager.create(1f))),
        snapshotManager);
    TrainerState s = new TrainerState(List.of(new ModelState("vae", 1, p, Map.of(), 0, List.of())), 0,
        NDManager.newBaseManager());
    s.close();
    assertThat(p.isFreed()).isTrue();
    assertThat(s.isClosed()).isTrue();
    s.close(); // a double release would throw "released too often"
    assertThat(s.isClosed()).isTrue();
  }
}
