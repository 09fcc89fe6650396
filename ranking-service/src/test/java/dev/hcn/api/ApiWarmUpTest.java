package dev.hcn.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hcn.ServiceTest;
import dev.hcn.ranking.ApiWarmUp;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/** Each API's start-up requests reach the running service through that API and are answered. */
@ServiceTest
class ApiWarmUpTest {

  @Autowired List<ApiWarmUp> apis;
  @Autowired MeterRegistry meters;

  private double answered(String api) {
    Timer ok = meters.find("hcn.rank.requests").tags("api", api, "outcome", "ok").timer();
    return ok == null ? 0 : ok.count();
  }

  @Test
  void restAndGrpcWarmUpsAreAnsweredThroughTheirOwnApis() {
    assertThat(apis).hasSize(2);
    double rest = answered("rest");
    double grpc = answered("grpc");
    for (ApiWarmUp api : apis) {
      api.send(List.of("42", "7"), 3);
    }
    assertThat(answered("rest") - rest).isEqualTo(3);
    assertThat(answered("grpc") - grpc).isEqualTo(3);
  }
}
