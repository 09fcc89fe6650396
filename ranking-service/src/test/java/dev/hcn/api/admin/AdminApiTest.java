package dev.hcn.api.admin;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hcn.AdminServiceTest;
import dev.hcn.api.rest.HttpJson;
import dev.hcn.model.BundleFixtures;
import dev.hcn.model.ModelRegistry;
import dev.hcn.model.TestBundles;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalManagementPort;
import org.springframework.boot.test.web.server.LocalServerPort;

/** The admin API on a separate management port: authentication, answers and problem details. */
@AdminServiceTest
class AdminApiTest {

  @LocalServerPort int port;
  @LocalManagementPort int managementPort;
  @Autowired ModelRegistry registry;
  @TempDir Path tmp;
  private AdminClient admin;

  @BeforeEach
  void setUp() {
    admin = new AdminClient(managementPort);
  }

  @AfterEach
  void serveTheTestBundleAgain() {
    if (!registry.current().orElseThrow().directory().equals(TestBundles.path())) {
      assertThat(admin.swap(TestBundles.path()).status()).isEqualTo(200);
    }
  }

  @Test
  void withoutTheRightBearerTokenEveryRouteIs401WithAProblem() {
    for (String token : new String[] {null, "", "wrong", AdminServiceTest.TOKEN + "x"}) {
      var show = admin.show(token);
      assertThat(show.status()).as("token %s", token).isEqualTo(401);
      assertThat(show.contentType()).startsWith("application/problem+json");
      assertThat(show.body().get("type").asString())
          .isEqualTo("https://hcn.dev/problems/unauthorized");
      var swap = admin.post("/admin/model", "{\"bundlePath\": \"/tmp\"}", token);
      assertThat(swap.status()).isEqualTo(401);
      assertThat(admin.post("/admin/model/rollback", "", token).status()).isEqualTo(401);
    }
    assertThat(registry.current().orElseThrow().directory()).isEqualTo(TestBundles.path());
  }

  @Test
  void isServedOnTheManagementPortOnly() {
    assertThat(admin.show(AdminServiceTest.TOKEN).status()).isEqualTo(200);
    var onServerPort = new AdminClient(port).show(AdminServiceTest.TOKEN);
    assertThat(onServerPort.status()).isEqualTo(404);
  }

  @Test
  void showsAndSwapsTheModel() {
    var shown = admin.show(AdminServiceTest.TOKEN);
    assertThat(shown.body().get("model").get("version").asString())
        .isEqualTo(registry.current().orElseThrow().version());
    assertThat(shown.body().get("directory").asString()).isEqualTo(TestBundles.path().toString());

    var swapped = admin.swap(BundleFixtures.SECOND);
    assertThat(swapped.status()).isEqualTo(200);
    assertThat(swapped.contentType()).startsWith("application/json");
    assertThat(swapped.body().get("action").asString()).isEqualTo("admin");
    assertThat(swapped.body().get("model").get("name").asString()).isEqualTo("synthetic-2000");
    assertThat(swapped.body().get("previous").asString()).isEqualTo(TestBundles.path().toString());
    var rank = new HttpJson(port).postJson("/v1/rank", "{\"userId\": \"42\", \"k\": 3}");
    assertThat(rank.body().get("model").get("name").asString()).isEqualTo("synthetic-2000");

    var back = admin.rollback();
    assertThat(back.status()).isEqualTo(200);
    assertThat(back.body().get("action").asString()).isEqualTo("rollback");
    assertThat(back.body().get("directory").asString()).isEqualTo(TestBundles.path().toString());
  }

  @Test
  void aRefusedBundleIsAProblemNamingTheCheckAndTheModelStays() {
    String before = registry.current().orElseThrow().version();
    var refused = admin.swap(BundleFixtures.badChecksum(tmp));
    assertThat(refused.status()).isEqualTo(422);
    assertThat(refused.contentType()).startsWith("application/problem+json");
    assertThat(refused.body().get("type").asString())
        .isEqualTo("https://hcn.dev/problems/bundle-rejected");
    assertThat(refused.body().get("check").asString()).isEqualTo("checksum");
    assertThat(refused.body().get("detail").asString()).contains("items.f32", "sha256 mismatch");
    assertThat(refused.body().get("status").asInt()).isEqualTo(422);
    assertThat(registry.current().orElseThrow().version()).isEqualTo(before);
  }

  @Test
  void badRequestsAreProblems() {
    var notJson = admin.post("/admin/model", "{bundlePath", AdminServiceTest.TOKEN);
    assertThat(notJson.status()).isEqualTo(400);
    assertThat(notJson.body().get("type").asString())
        .isEqualTo("https://hcn.dev/problems/malformed-body");
    var missing = admin.post("/admin/model", "{}", AdminServiceTest.TOKEN);
    assertThat(missing.status()).isEqualTo(400);
    assertThat(missing.body().get("type").asString())
        .isEqualTo("https://hcn.dev/problems/invalid-request");
    assertThat(missing.body().get("field").asString()).isEqualTo("bundlePath");
    var huge =
        admin.post(
            "/admin/model",
            "{\"bundlePath\": \"" + "a".repeat(20_000) + "\"}",
            AdminServiceTest.TOKEN);
    assertThat(huge.status()).isEqualTo(413);
    var nowhere = admin.swap(tmp.resolve("no-such-bundle"));
    assertThat(nowhere.status()).isEqualTo(422);
    assertThat(nowhere.body().get("check").asString()).isEqualTo("manifest");
  }
}
