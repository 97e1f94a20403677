<?php
// The shop: a login form, or the products and the cart.
require __DIR__ . '/lib.php';
start_session();
$cart = $_SESSION['cart'] ?? [];
page_start('Cart');

if (user() === null): ?>
<h2>Log in</h2>
<form method="post" action="/login.php">
  <?= csrf_field() ?>

  <label>Name <input name="name" id="name" maxlength="40" required autofocus></label>
  <button id="login">Log in</button>
</form>
<?php else: ?>
<h2>Products</h2>
<table>
<?php foreach (PRODUCTS as $sku => [$name, $price]): ?>
  <tr><td><?= e($name) ?></td><td class="n"><?= money($price) ?></td>
    <td class="n"><form method="post" action="/cart.php"><?= csrf_field() ?>
      <input type="hidden" name="sku" value="<?= e($sku) ?>">
      <button name="action" value="add" id="add-<?= e($sku) ?>">Add</button></form></td></tr>
<?php endforeach; ?>
</table>
<h2>Your cart</h2>
<?php if (!$cart): ?>
<p id="cart-empty">Your cart is empty.</p>
<?php else: ?>
<table id="cart">
  <tr><th>Item</th><th class="n">Qty</th><th class="n">Price</th></tr>
<?php $total = 0;
foreach ($cart as $sku => $qty):
    [$name, $price] = PRODUCTS[$sku];
    $total += $qty * $price; ?>
  <tr data-sku="<?= e($sku) ?>"><td><?= e($name) ?></td><td class="n qty"><?= $qty ?></td><td class="n"><?= money($qty * $price) ?></td></tr>
<?php endforeach; ?>
  <tr><th>Total</th><th class="n" id="items"><?= array_sum($cart) ?></th><th class="n" id="total"><?= money($total) ?></th></tr>
</table>
<form method="post" action="/cart.php"><?= csrf_field() ?><button name="action" value="clear" id="clear">Empty the cart</button></form>
<?php endif;
endif;
