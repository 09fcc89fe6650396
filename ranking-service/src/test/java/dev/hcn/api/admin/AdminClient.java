package dev.hcn.api.admin;

import dev.hcn.AdminServiceTest;
import dev.hcn.api.rest.HttpJson;
import java.net.http.HttpRequest;
import java.nio.file.Path;
import java.util.Map;

/** The admin API over HTTP, with the test token unless told otherwise. */
final class AdminClient {

  private final HttpJson http;

  AdminClient(int managementPort) {
    this.http = new HttpJson(managementPort);
  }

  HttpJson.Answer swap(Path bundle) {
    return post(
        "/admin/model",
        HttpJson.JSON.writeValueAsString(Map.of("bundlePath", bundle.toString())),
        AdminServiceTest.TOKEN);
  }

  HttpJson.Answer rollback() {
    return post("/admin/model/rollback", "", AdminServiceTest.TOKEN);
  }

  HttpJson.Answer show(String token) {
    HttpRequest.Builder r = HttpRequest.newBuilder(http.uri("/admin/model")).GET();
    if (token != null) {
      r.header("Authorization", "Bearer " + token);
    }
    return http.send(r);
  }

  HttpJson.Answer post(String path, String body, String token) {
    HttpRequest.Builder r =
        HttpRequest.newBuilder(http.uri(path))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body));
    if (token != null) {
      r.header("Authorization", "Bearer " + token);
    }
    return http.send(r);
  }
}
