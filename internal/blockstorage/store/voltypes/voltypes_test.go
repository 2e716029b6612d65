package voltypes_test

import (
	"context"
	"errors"
	"sort"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/gostack/gostack/internal/blockstorage"
	"github.com/gostack/gostack/internal/blockstorage/store/storetest"
	"github.com/gostack/gostack/internal/platform/apierr"
)

var ignoreTimes = cmpopts.IgnoreFields(blockstorage.VolumeType{}, "CreatedAt", "UpdatedAt")

func TestTypes(t *testing.T) {
	st := storetest.Open(t)
	gold := &blockstorage.VolumeType{ID: "t1", Name: "gold", Description: "d", IsPublic: true, ExtraSpecs: map[string]string{"a": "1", "b": "2"}}
	secret := &blockstorage.VolumeType{ID: "t2", Name: "secret", ExtraSpecs: map[string]string{}}
	err := st.Update(context.Background(), func(ctx context.Context, tx blockstorage.Tx) error {
		for _, vt := range []*blockstorage.VolumeType{gold, secret} {
			if err := tx.CreateType(ctx, vt); err != nil {
				return err
			}
		}
		return tx.AddTypeProject(ctx, "t2", "p1")
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		fn   func(ctx context.Context, tx blockstorage.Tx) error
		want error
	}{
		{"duplicate name", func(ctx context.Context, tx blockstorage.Tx) error {
			return tx.CreateType(ctx, &blockstorage.VolumeType{ID: "t3", Name: "gold"})
		}, apierr.ErrDuplicate},
		{"rename onto a name", func(ctx context.Context, tx blockstorage.Tx) error {
			return tx.UpdateType(ctx, &blockstorage.VolumeType{ID: "t2", Name: "gold"})
		}, apierr.ErrDuplicate},
		{"unknown id", func(ctx context.Context, tx blockstorage.Tx) error { _, err := tx.GetType(ctx, "nope"); return err }, apierr.ErrNotFound},
		{"unknown name", func(ctx context.Context, tx blockstorage.Tx) error {
			_, err := tx.GetTypeByName(ctx, "nope")
			return err
		}, apierr.ErrNotFound},
		{"access twice", func(ctx context.Context, tx blockstorage.Tx) error { return tx.AddTypeProject(ctx, "t2", "p1") }, apierr.ErrDuplicate},
		{"remove absent access", func(ctx context.Context, tx blockstorage.Tx) error { return tx.RemoveTypeProject(ctx, "t2", "p9") }, apierr.ErrNotFound},
		{"delete absent spec", func(ctx context.Context, tx blockstorage.Tx) error { return tx.DeleteExtraSpec(ctx, "t1", "zz") }, apierr.ErrNotFound},
		{"delete unknown type", func(ctx context.Context, tx blockstorage.Tx) error { return tx.DeleteType(ctx, "nope") }, apierr.ErrNotFound},
	} {
		if err := st.Update(context.Background(), tc.fn); !errors.Is(err, tc.want) {
			t.Errorf("%s: err = %v, want %v", tc.name, err, tc.want)
		}
	}
	yes, no := true, false
	for _, tc := range []struct {
		name string
		f    blockstorage.TypeFilter
		want []string
	}{
		{"all", blockstorage.TypeFilter{}, []string{"gold", "secret"}},
		{"public", blockstorage.TypeFilter{IsPublic: &yes}, []string{"gold"}},
		{"private", blockstorage.TypeFilter{IsPublic: &no}, []string{"secret"}},
		{"project with access", blockstorage.TypeFilter{Project: "p1"}, []string{"gold", "secret"}},
		{"project without", blockstorage.TypeFilter{Project: "p2"}, []string{"gold"}},
	} {
		var got []string
		err := st.View(context.Background(), func(ctx context.Context, tx blockstorage.Tx) error {
			types, err := tx.ListTypes(ctx, tc.f)
			for _, vt := range types {
				got = append(got, vt.Name)
			}
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(tc.want, got); diff != "" {
			t.Errorf("%s: list (-want +got):\n%s", tc.name, diff)
		}
	}
	err = st.Update(context.Background(), func(ctx context.Context, tx blockstorage.Tx) error {
		if err := tx.SetExtraSpecs(ctx, "t1", map[string]string{"b": "3", "c": "4"}); err != nil {
			return err
		}
		if err := tx.DeleteExtraSpec(ctx, "t1", "a"); err != nil {
			return err
		}
		got, err := tx.GetTypeByName(ctx, "gold")
		if err != nil {
			return err
		}
		want := &blockstorage.VolumeType{ID: "t1", Name: "gold", Description: "d", IsPublic: true, ExtraSpecs: map[string]string{"b": "3", "c": "4"}}
		if diff := cmp.Diff(want, got, ignoreTimes); diff != "" {
			t.Errorf("type (-want +got):\n%s", diff)
		}
		if err := tx.CreateEncryption(ctx, &blockstorage.Encryption{ID: "e1", TypeID: "t1", Provider: "luks", ControlLocation: "front-end"}); err != nil {
			return err
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// A failed statement ends a PostgreSQL transaction: each refusal is
	// tried in one of its own.
	err = st.Update(context.Background(), func(ctx context.Context, tx blockstorage.Tx) error {
		return tx.CreateEncryption(ctx, &blockstorage.Encryption{ID: "e2", TypeID: "t1", Provider: "luks", ControlLocation: "front-end"})
	})
	if !errors.Is(err, apierr.ErrDuplicate) {
		t.Errorf("second encryption: %v", err)
	}
	// The type's rows go with it.
	err = st.Update(context.Background(), func(ctx context.Context, tx blockstorage.Tx) error {
		if err := tx.DeleteType(ctx, "t1"); err != nil {
			return err
		}
		if _, err := tx.GetEncryption(ctx, "t1"); !errors.Is(err, apierr.ErrNotFound) {
			t.Errorf("encryption after delete: %v", err)
		}
		var n int
		if err := tx.Querier().QueryRowContext(ctx, `SELECT COUNT(*) FROM volume_type_extra_specs WHERE type_id = 't1'`).Scan(&n); err != nil || n != 0 {
			t.Errorf("specs after delete: %d %v", n, err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestQoSAndDefaults(t *testing.T) {
	st := storetest.Open(t)
	err := st.Update(context.Background(), func(ctx context.Context, tx blockstorage.Tx) error {
		for _, vt := range []*blockstorage.VolumeType{{ID: "t1", Name: "a", IsPublic: true}, {ID: "t2", Name: "b", IsPublic: true}} {
			if err := tx.CreateType(ctx, vt); err != nil {
				return err
			}
		}
		if err := tx.CreateQoS(ctx, &blockstorage.QoSSpecs{ID: "q1", Name: "q", Consumer: "both", Specs: map[string]string{"k": "v"}}); err != nil {
			return err
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	err = st.Update(context.Background(), func(ctx context.Context, tx blockstorage.Tx) error {
		return tx.CreateQoS(ctx, &blockstorage.QoSSpecs{ID: "q2", Name: "q", Consumer: "both"})
	})
	if !errors.Is(err, apierr.ErrDuplicate) {
		t.Errorf("duplicate qos: %v", err)
	}
	err = st.Update(context.Background(), func(ctx context.Context, tx blockstorage.Tx) error {
		vt, err := tx.GetType(ctx, "t1")
		if err != nil {
			return err
		}
		vt.QoSSpecsID = "q1"
		if err := tx.UpdateType(ctx, vt); err != nil {
			return err
		}
		q, err := tx.GetQoS(ctx, "q1")
		if err != nil {
			return err
		}
		q.Specs["k2"] = "v2"
		if err := tx.UpdateQoS(ctx, q); err != nil {
			return err
		}
		if got, err := tx.GetQoS(ctx, "q1"); err != nil || len(got.Specs) != 2 {
			t.Errorf("qos = %v %v", got, err)
		}
		types, err := tx.QoSTypes(ctx, "q1")
		if err != nil || len(types) != 1 || types[0].ID != "t1" {
			t.Errorf("qos types = %v %v", types, err)
		}
		if err := tx.DeleteQoS(ctx, "q1"); err != nil {
			return err
		}
		if vt, err := tx.GetType(ctx, "t1"); err != nil || vt.QoSSpecsID != "" {
			t.Errorf("type after qos delete = %v %v", vt, err)
		}
		// Defaults: the project's own wins over the service's.
		for _, tc := range []struct{ project, want string }{{"p1", ""}} {
			if got, err := tx.DefaultTypeID(ctx, tc.project); err != nil || got != tc.want {
				t.Errorf("default of %s = %q %v, want %q", tc.project, got, err, tc.want)
			}
		}
		if err := tx.SetDefaultType(ctx, "", "t1"); err != nil {
			return err
		}
		if err := tx.SetDefaultType(ctx, "p1", "t2"); err != nil {
			return err
		}
		for _, tc := range []struct{ project, want string }{{"p1", "t2"}, {"p2", "t1"}} {
			if got, err := tx.DefaultTypeID(ctx, tc.project); err != nil || got != tc.want {
				t.Errorf("default of %s = %q %v, want %q", tc.project, got, err, tc.want)
			}
		}
		all, err := tx.ListDefaultTypes(ctx)
		if err != nil {
			return err
		}
		if diff := cmp.Diff(map[string]string{"p1": "t2"}, all); diff != "" {
			t.Errorf("defaults (-want +got):\n%s", diff)
		}
		if err := tx.DeleteDefaultType(ctx, "p9"); !errors.Is(err, apierr.ErrNotFound) {
			t.Errorf("delete absent default: %v", err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestGroupTypes(t *testing.T) {
	st := storetest.Open(t)
	err := st.Update(context.Background(), func(ctx context.Context, tx blockstorage.Tx) error {
		if err := tx.CreateGroupType(ctx, &blockstorage.GroupType{ID: "g1", Name: "a", IsPublic: true, GroupSpecs: map[string]string{"x": "1"}}); err != nil {
			return err
		}
		if err := tx.CreateGroupType(ctx, &blockstorage.GroupType{ID: "g2", Name: "b"}); err != nil {
			return err
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	err = st.Update(context.Background(), func(ctx context.Context, tx blockstorage.Tx) error {
		return tx.CreateGroupType(ctx, &blockstorage.GroupType{ID: "g3", Name: "a"})
	})
	if !errors.Is(err, apierr.ErrDuplicate) {
		t.Errorf("duplicate: %v", err)
	}
	err = st.Update(context.Background(), func(ctx context.Context, tx blockstorage.Tx) error {
		if err := tx.SetGroupSpecs(ctx, "g1", map[string]string{"y": "2"}); err != nil {
			return err
		}
		g, err := tx.GetGroupTypeByName(ctx, "a")
		if err != nil || len(g.GroupSpecs) != 2 {
			t.Errorf("group type = %v %v", g, err)
		}
		gs, err := tx.ListGroupTypes(ctx, blockstorage.TypeFilter{Project: "p1"})
		var names []string
		for _, g := range gs {
			names = append(names, g.Name)
		}
		sort.Strings(names)
		if err != nil || !cmp.Equal(names, []string{"a"}) {
			t.Errorf("member list = %v %v", names, err)
		}
		if err := tx.DeleteGroupSpec(ctx, "g1", "nope"); !errors.Is(err, apierr.ErrNotFound) {
			t.Errorf("delete absent spec: %v", err)
		}
		return tx.DeleteGroupType(ctx, "g1")
	})
	if err != nil {
		t.Fatal(err)
	}
}
