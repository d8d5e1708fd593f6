package dev.signalbox.core.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import dev.signalbox.api.TimeSource;
import dev.signalbox.core.TestConfigs;
import dev.signalbox.core.config.DeploymentSpec;
import java.util.Map;
import org.junit.jupiter.api.Test;

class UpstreamFactoryTest {
  private final UpstreamFactory factory =
      new UpstreamFactory(TimeSource.SYSTEM, name -> null, TestConfigs.tokens());

  @Test
  void aDeploymentKeepsItsUpstreamWhetherAskedWithTheSameSpecOrAnEqualOneFromAReload() {
    DeploymentSpec spec = deployment("http://127.0.0.1:1/v1");
    DeploymentSpec reloaded = deployment("http://127.0.0.1:1/v1");

    var first = factory.upstream(spec);

    assertThat(reloaded).isNotSameAs(spec).isEqualTo(spec);
    assertThat(factory.upstream(spec)).isSameAs(first);
    assertThat(factory.upstream(reloaded)).isSameAs(first);
    assertThat(factory.upstream(spec)).isSameAs(first);
  }

  @Test
  void aChangedSpecUnderTheSameNameGetsItsOwnUpstreamAndTheOldOneStaysItsOwn() {
    DeploymentSpec before = deployment("http://127.0.0.1:1/v1");
    DeploymentSpec after = deployment("http://127.0.0.1:2/v1");

    var old = factory.upstream(before);
    var changed = factory.upstream(after);

    assertThat(changed).isNotSameAs(old);
    assertThat(factory.upstream(before)).isSameAs(old);
    assertThat(factory.upstream(after)).isSameAs(changed);
  }

  private static DeploymentSpec deployment(String baseUrl) {
    return TestConfigs.reader(Map.of())
        .read(
            "deployments:\n  - {name: d, provider: openai, base-url: '"
                + baseUrl
                + "', model: up-model}\nmodels:\n  - {name: m, deployments: [d]}\n",
            "t")
        .deployment("d");
  }
}
