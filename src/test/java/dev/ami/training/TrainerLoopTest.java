package dev.ami.training;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ami.bus.Event;
import dev.ami.bus.ParamsPublished;
import dev.ami.bus.RunState;
import dev.ami.bus.TrainRecord;
import dev.ami.bus.Transition;
import dev.ami.model.ModelSpec;
import dev.ami.params.ParamPublisher;
import dev.ami.params.ParamSnapshot;
import io.vertx.core.Vertx;
import io.vertx.core.shareddata.LocalMap;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class TrainerLoopTest {

  @Test
  @DisplayName("a trainer that throws mid-run ends in state failed with a trainer-crash event, and frees its model")
  void crashIsReported() throws Exception {
    Vertx vertx = Vertx.vertx();
    try {
      LocalMap<String, ParamSnapshot> map = vertx.sharedData().getLocalMap("trainer-loop-test");
      ModelSpec spec = new ModelSpec(16, 16, 8);
      ReplayBuffer replay = new ReplayBuffer(16, 1);
      for (int i = 0; i < 16; i++) {
        // observations of the wrong size: sampling them into a batch throws, as corrupt data would
        replay.add(new Transition(i, new float[7], 0, 0, 0, 0, 0));
      }
      List<Event> events = new CopyOnWriteArrayList<>();
      List<ParamsPublished> published = new CopyOnWriteArrayList<>();
      TrainerLoop loop = new TrainerLoop(() -> new AeTrainer(spec, 4, 1e-3, 1), replay,
          () -> new ParamPublisher("k", map, 0), new TrainerLoop.Settings(4, 0, 1, 3),
          new TrainerLoop.Sink() {
            @Override
            public void published(ParamsPublished p) {
              published.add(p);
            }

            @Override
            public void step(TrainRecord r) {
            }

            @Override
            public void event(Event e) {
              events.add(e);
            }
          });
      Thread thread = new Thread(loop, "test-trainer");
      thread.start();
      loop.finished().get(60, TimeUnit.SECONDS);
      assertThat(loop.status().state()).isEqualTo(RunState.FAILED);
      assertThat(events).anySatisfy(e -> {
        assertThat(e.kind()).isEqualTo("trainer-crash");
        assertThat(e.level()).isEqualTo("error");
      });
      assertThat(published).as("the initial snapshot was published before the crash").hasSize(1);
      assertThat(map.get("k").version()).as("the agent can keep acting on it").isEqualTo(1);
      assertThat(loop.command("pause").get(5, TimeUnit.SECONDS).state()).as("commands still answer")
          .isEqualTo(RunState.FAILED);
      map.remove("k").release();
    } finally {
      vertx.close();
    }
  }
}
