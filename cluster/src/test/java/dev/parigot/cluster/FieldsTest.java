package dev.parigot.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The one header of a message between nodes, as written and as read back, well-formed or not. */
class FieldsTest {
  @Test
  void whatIsWrittenIsReadBack() {
    String text =
        new Fields.Writer(Wire.END)
            .add(Wire.SEQ, 1)
            .add(Wire.CONTROL, "parigot.shop.svc.cart.v1.Cart.$c.n1.3")
            .add(Wire.CODE, -4)
            .flag(Wire.MORE)
            .toString();
    assertThat(text).isEqualTo("e s=1 r=parigot.shop.svc.cart.v1.Cart.$c.n1.3 e=-4 m");

    Fields f = Fields.parse(text);
    assertThat(f.kind()).isEqualTo(Wire.END);
    assertThat(f.number(Wire.SEQ, -1)).isEqualTo(1);
    assertThat(f.text(Wire.CONTROL)).isEqualTo("parigot.shop.svc.cart.v1.Cart.$c.n1.3");
    assertThat(f.number(Wire.CODE, 0)).isEqualTo(-4);
    assertThat(f.has(Wire.MORE)).isTrue();
    assertThat(f.text(Wire.MORE)).isEmpty();
    assertThat(f.has(Wire.CHUNKS)).isFalse();
    assertThat(f.text(Wire.CHUNKS)).isNull();
  }

  @Test
  void aValueKeepsEverythingAfterItsEqualsSign() {
    assertThat(Fields.parse("g i=a=b==c").text(Wire.INBOX)).isEqualTo("a=b==c");
  }

  @Test
  void aRepeatedTagCountsOnceTheFirstTime() {
    Fields f = Fields.parse("p s=2 s=1");
    assertThat(f.number(Wire.SEQ, -1)).isEqualTo(2);
  }

  @Test
  void fieldsWithOtherTagsOrNoEqualsSignAfterTheTagAreIgnored() {
    Fields f = Fields.parse("c S=1 1=2 _=3 {=4 sx=5 é=6 c=7");
    assertThat(f.has(Wire.SEQ)).isFalse();
    assertThat(f.number(Wire.CREDIT, -1)).isEqualTo(7);
  }

  @Test
  void extraSpacesAreNoFields() {
    Fields f = Fields.parse("x  e=-3   ");
    assertThat(f.kind()).isEqualTo(Wire.CANCEL);
    assertThat(f.number(Wire.CODE, 0)).isEqualTo(-3);
  }

  @Test
  void anEmptyHeaderHasAnEmptyKindAndNoFields() {
    Fields f = Fields.parse("");
    assertThat(f.kind()).isEmpty();
    assertThat(f.has(Wire.SEQ)).isFalse();
  }

  @Test
  void aNumberIsOneToEighteenDecimalDigitsWithAnOptionalMinus() {
    assertThat(Fields.parse("c t=0").number(Wire.TIMEOUT, -1)).isZero();
    assertThat(Fields.parse("c t=-0").number(Wire.TIMEOUT, -1)).isZero();
    assertThat(Fields.parse("c t=999999999999999999").number(Wire.TIMEOUT, -1))
        .isEqualTo(999_999_999_999_999_999L);
    assertThat(Fields.parse("c t=-999999999999999999").number(Wire.TIMEOUT, 1))
        .isEqualTo(-999_999_999_999_999_999L);
    for (String bad :
        new String[] {
          "", "-", "+5", "1.5", "5ms", "0x10", " 1", "1000000000000000000", "99999999999999999999"
        }) {
      assertThat(Fields.parse("c t=" + bad).number(Wire.TIMEOUT, -7)).as("'%s'", bad).isEqualTo(-7);
    }
    assertThat(Fields.parse("c t").number(Wire.TIMEOUT, -7)).as("a flag").isEqualTo(-7);
  }
}
