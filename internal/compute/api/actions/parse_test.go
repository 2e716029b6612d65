package actions

import (
	"encoding/json"
	"testing"
)

func FuzzParseAction(f *testing.F) {
	f.Add("rebuild", []byte(`{"imageRef":"11111111-2222-3333-4444-555555555555","key_name":null,"user_data":null}`), 90)
	f.Add("os-migrateLive", []byte(`{"host":null,"block_migration":"auto"}`), 25)
	f.Add("unshelve", []byte(`{"availability_zone":null,"host":"h"}`), 91)
	f.Fuzz(func(t *testing.T, name string, raw []byte, minor int) {
		if !json.Valid(raw) {
			return
		}
		parseAction(name, raw, minor%100)
	})
}
