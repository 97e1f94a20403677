<?php
require __DIR__ . '/lib.php';
start_session();
require_post();
if (user() === null) {
    flash('Log in first.');
    redirect('/');
}
$sku = (string) ($_POST['sku'] ?? '');
switch ($_POST['action'] ?? '') {
    case 'add':
        if (isset(PRODUCTS[$sku])) {
            $_SESSION['cart'][$sku] = ($_SESSION['cart'][$sku] ?? 0) + 1;
            flash('Added ' . PRODUCTS[$sku][0] . ' to your cart.');
        }
        break;
    case 'clear':
        unset($_SESSION['cart']);
        flash('Your cart is empty now.');
        break;
}
redirect('/');
