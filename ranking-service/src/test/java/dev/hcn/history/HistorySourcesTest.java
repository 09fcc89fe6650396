package dev.hcn.history;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hcn.model.TestBundles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HistorySourcesTest {

  @TempDir Path temp;

  @Test
  void embeddedSourceServesTheBundlesDemoHistories() {
    var source = EmbeddedHistorySource.read(TestBundles.path().resolve("demo_histories.json"));
    assertThat(source.size()).isGreaterThan(0);
    UserHistory demo = source.find("42");
    assertThat(demo.items()).isNotEmpty();
    assertThat(source.find("no-such-user")).isSameAs(UserHistory.EMPTY);
  }

  @Test
  void embeddedSourceReadsTheDocumentedFormat() throws Exception {
    Path file = temp.resolve("demo.json");
    Files.writeString(
        file,
        """
        {"users": {"7": {"history": [5, 3, 9], "features": {"gender": "F"}},
                   "8": {"history": []}}}
        """);
    var source = EmbeddedHistorySource.read(file);
    assertThat(source.find("7").items()).containsExactly(5, 3, 9);
    assertThat(source.find("7").features()).containsEntry("gender", "F");
    assertThat(source.find("8").items()).isEmpty();
    assertThat(source.find("8").features()).isEmpty();
  }

  @Test
  void embeddedSourceNamesAMissingOrMalformedFile() throws Exception {
    assertThatThrownBy(() -> EmbeddedHistorySource.read(temp.resolve("absent.json")))
        .hasMessageContaining("absent.json");
    Path bad = temp.resolve("bad.json");
    Files.writeString(bad, "{\"users\": [");
    assertThatThrownBy(() -> EmbeddedHistorySource.read(bad)).hasMessageContaining("bad.json");
  }

  @Test
  void theFollowingSourceRereadsOnlyWhenTheServingBundleChanges() throws Exception {
    Path file = temp.resolve("demo.json");
    Files.writeString(file, "{\"users\": {\"7\": {\"history\": [5]}}}");
    AtomicReference<ServingBundleView.DemoHistories> serving = new AtomicReference<>();
    var source = EmbeddedHistorySource.following(view(serving));

    assertThat(source.find("7")).isSameAs(UserHistory.EMPTY);

    serving.set(new ServingBundleView.DemoHistories(new Object(), file));
    assertThat(source.find("7").items()).containsExactly(5);

    // The same bundle keeps its parsed histories; a new bundle from the same path is read afresh.
    Files.writeString(file, "{\"users\": {\"7\": {\"history\": [6, 8]}}}");
    assertThat(source.find("7").items()).containsExactly(5);
    serving.set(new ServingBundleView.DemoHistories(new Object(), file));
    assertThat(source.find("7").items()).containsExactly(6, 8);

    serving.set(null);
    assertThat(source.size()).isZero();
  }

  private static ServingBundleView view(AtomicReference<ServingBundleView.DemoHistories> serving) {
    return new ServingBundleView() {
      @Override
      public OptionalInt historyLength() {
        return OptionalInt.empty();
      }

      @Override
      public Optional<DemoHistories> demoHistories() {
        return Optional.ofNullable(serving.get());
      }
    };
  }
}
