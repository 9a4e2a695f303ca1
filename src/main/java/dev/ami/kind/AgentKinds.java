package dev.ami.kind;

import dev.ami.agent.AgentVerticle;
import dev.ami.config.AmiConfig;
import dev.ami.config.KindRules;
import dev.ami.data.Buffers;
import dev.ami.params.ParamSnapshot;
import dev.ami.training.ModelTrainer;
import dev.ami.training.TrainerCatalogue;
import io.vertx.core.shareddata.LocalMap;
import java.util.List;

/** The registered kinds: every {@link KindRules} META-INF/services names must be an {@link AgentKind}. */
public final class AgentKinds {
  private AgentKinds() {
  }

  /** The kind {@code model.kind} selects. */
  public static AgentKind of(AmiConfig c) {
    return cast(KindRules.of(c));
  }

  /** The brain of whichever kind a config selects: what the agent verticle is given. */
  public static AgentVerticle.BrainFactory brains() {
    return (c, params) -> of(c).brain(c, params);
  }

  /** The buffers and trainers of whichever kind a config selects: what the trainer verticle is given. */
  public static TrainerCatalogue catalogue() {
    return new TrainerCatalogue() {
      @Override
      public Buffers buffers(AmiConfig c) {
        return of(c).buffers(c);
      }

      @Override
      public String bufferLayout(AmiConfig c) {
        return of(c).bufferLayout(c);
      }

      @Override
      public List<ModelTrainer> trainers(AmiConfig c, Buffers buffers, LocalMap<String, ParamSnapshot> params) {
        return of(c).trainers(c, buffers, params);
      }
    };
  }

  /** Every registered kind, in registration order. */
  public static List<AgentKind> all() {
    return KindRules.all().stream().map(AgentKinds::cast).toList();
  }

  private static AgentKind cast(KindRules k) {
    if (!(k instanceof AgentKind kind)) {
      throw new IllegalStateException(k.getClass().getName() + " is registered as a kind but is no AgentKind");
    }
    return kind;
  }
}
