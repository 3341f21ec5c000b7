# Admin pages here extend yicang.community.admin.CommunityScopedAdmin, so tenancy holds.
