-- Approves the cart the operator shows now: the annotation names the current status.cart.id, so an
-- approval never applies to a cart made later (e.g. after a spec change).
if obj.metadata.annotations == nil then
  obj.metadata.annotations = {}
end
obj.metadata.annotations["publiccloud.ovh-operator.dev/approve"] = obj.status.cart.id
return obj
