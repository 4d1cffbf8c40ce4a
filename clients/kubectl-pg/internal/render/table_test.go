package render

import (
	"strings"
	"testing"
)

func TestTableAlignsColumnsLikeKubectlWithoutTrailingSpaces(t *testing.T) {
	tb := &Table{Header: []string{"ORDER", "PROCESS", "MEMORY"}, Indent: "  "}
	tb.Add("0", "agent", "41Mi")
	tb.Add("1", "background", "-")
	var b strings.Builder
	if err := tb.Write(&b); err != nil {
		t.Fatal(err)
	}
	want := "  ORDER   PROCESS      MEMORY\n" +
		"  0       agent        41Mi\n" +
		"  1       background   -\n"
	if b.String() != want {
		t.Fatalf("got\n%s\nwant\n%s", b.String(), want)
	}
}

func TestUnitsFollowKubectlTop(t *testing.T) {
	cases := map[string]string{
		Bytes(512, true):                   "512",
		Bytes(2048, true):                  "2Ki",
		Bytes(43_000_000, true):            "41Mi",
		Bytes(1.5*1024*1024*1024, true):    "1.5Gi",
		Bytes(1, false):                    "-",
		Percent(0.4321, true):              "0.4%",
		Percent(12.6, true):                "13%",
		Percent(0, false):                  "-",
		Truncate("a long message here", 7): "a long…",
		OrNone(""):                         "<none>",
	}
	for got, want := range cases {
		if got != want {
			t.Errorf("got %q, want %q", got, want)
		}
	}
}
