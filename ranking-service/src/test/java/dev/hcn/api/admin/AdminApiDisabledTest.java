package dev.hcn.api.admin;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hcn.ServiceTest;
import dev.hcn.model.TestBundles;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.web.server.LocalServerPort;

/** Without a token the admin API does not exist: 404, and nothing is swapped. */
@ServiceTest
class AdminApiDisabledTest {

  @LocalServerPort int port;

  @Test
  void everyAdminRouteIs404WithoutAConfiguredToken() {
    AdminClient admin = new AdminClient(port);
    assertThat(admin.show("anything").status()).isEqualTo(404);
    assertThat(admin.swap(TestBundles.path()).status()).isEqualTo(404);
    assertThat(admin.rollback().status()).isEqualTo(404);
  }
}
