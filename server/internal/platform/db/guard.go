package db

import (
	"reflect"

	"github.com/google/uuid"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/kefu-io/kefu/tenants"
)

// registerTenantGuard scopes every GORM statement on a tenant-owned model (one with a
// TenantID field) to the context's tenant, and fails closed without one. Raw SQL is
// not covered: tenant tables are only touched through models.
func registerTenantGuard(g *gorm.DB) error {
	cb := g.Callback()
	if err := cb.Query().Before("gorm:query").Register("kefu:tenant_scope", scopeStatement); err != nil {
		return err
	}
	if err := cb.Update().Before("gorm:update").Register("kefu:tenant_scope", scopeStatement); err != nil {
		return err
	}
	if err := cb.Delete().Before("gorm:delete").Register("kefu:tenant_scope", scopeStatement); err != nil {
		return err
	}
	if err := cb.Row().Before("gorm:row").Register("kefu:tenant_scope", scopeStatement); err != nil {
		return err
	}
	return cb.Create().Before("gorm:create").Register("kefu:tenant_stamp", stampCreate)
}

func tenantField(tx *gorm.DB) bool {
	s := tx.Statement
	return s.Schema != nil && s.Schema.LookUpField("TenantID") != nil
}

func scopeStatement(tx *gorm.DB) {
	if tx.Error != nil || !tenantField(tx) {
		return
	}
	s := tx.Statement
	tid, ok := tenants.FromContext(s.Context)
	if !ok {
		if tenants.IsAcrossTenants(s.Context) {
			return
		}
		_ = tx.AddError(tenants.ErrNoTenant)
		return
	}
	s.AddClause(clause.Where{Exprs: []clause.Expression{
		clause.Eq{Column: clause.Column{Table: clause.CurrentTable, Name: "tenant_id"}, Value: tid},
	}})
}

func stampCreate(tx *gorm.DB) {
	if tx.Error != nil || !tenantField(tx) {
		return
	}
	s := tx.Statement
	tid, ok := tenants.FromContext(s.Context)
	if !ok {
		_ = tx.AddError(tenants.ErrNoTenant)
		return
	}
	f := s.Schema.LookUpField("TenantID")
	stamp := func(rv reflect.Value) {
		v, zero := f.ValueOf(s.Context, rv)
		if zero {
			if err := f.Set(s.Context, rv, tid); err != nil {
				_ = tx.AddError(err)
			}
			return
		}
		if got, ok := v.(uuid.UUID); !ok || got != tid {
			_ = tx.AddError(tenants.ErrTenantMismatch)
		}
	}
	rv := reflect.Indirect(s.ReflectValue)
	switch rv.Kind() {
	case reflect.Slice, reflect.Array:
		for i := 0; i < rv.Len(); i++ {
			stamp(reflect.Indirect(rv.Index(i)))
		}
	case reflect.Struct:
		stamp(rv)
	}
}
