package dev.ami.cluster;

import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.TcpIpConfig;
import dev.ami.bus.Codecs;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.spi.cluster.hazelcast.ConfigUtil;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;

/** A clustered Vert.x on Hazelcast, joined over TCP-IP with the given members only. */
public final class ClusterVertx {
  private ClusterVertx() {
  }

  /** Starts a clustered Vert.x with {@code base}'s options (metrics) and the runtime's codecs. */
  public static Future<Vertx> start(ClusterOptions o, VertxOptions base) {
    Config hz = ConfigUtil.loadConfig(); // keeps the __vertx.* map settings the cluster manager needs
    hz.setClusterName(o.name());
    hz.setProperty("hazelcast.logging.type", "slf4j");
    hz.setProperty("hazelcast.phone.home.enabled", "false"); // no calls home: the machine may have no network
    // a port given on purpose is kept: moving up would let a node join or found the wrong cluster silently
    hz.getNetworkConfig().setPort(o.port()).setPortAutoIncrement(o.port() == ClusterOptions.DEFAULT_PORT);
    hz.getNetworkConfig().getInterfaces().setEnabled(true).addInterface(o.bind());
    JoinConfig join = hz.getNetworkConfig().getJoin();
    join.getMulticastConfig().setEnabled(false);
    join.getAutoDetectionConfig().setEnabled(false);
    TcpIpConfig tcp = join.getTcpIpConfig().setEnabled(true);
    o.members().forEach(tcp::addMember);
    // set on the given instance: a copy would drop the Micrometer metrics options
    VertxOptions options = base.setEventBusOptions(new EventBusOptions().setHost(o.bind()).setPort(o.busPort()));
    return Vertx.builder().with(options).withClusterManager(new HazelcastClusterManager(hz)).buildClustered()
        .map(vertx -> {
          Codecs.registerAll(vertx.eventBus());
          return vertx;
        });
  }
}
