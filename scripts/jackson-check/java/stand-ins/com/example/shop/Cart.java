package com.example.shop;

import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonAutoDetect;

/**
 * An application bean of the kind Java services keep in sessions. Its declared field types make
 * Jackson write some values without type information: the long, the double and the String[].
 */
@JsonAutoDetect(fieldVisibility = JsonAutoDetect.Visibility.ANY, getterVisibility = JsonAutoDetect.Visibility.NONE,
		isGetterVisibility = JsonAutoDetect.Visibility.NONE)
public class Cart {
	private long id;
	private String[] tags;
	private List<String> items;
	private Map<String, Object> extra;
	private double total;

	public Cart() {
	}

	public Cart(long id, String[] tags, List<String> items, Map<String, Object> extra, double total) {
		this.id = id;
		this.tags = tags;
		this.items = items;
		this.extra = extra;
		this.total = total;
	}
}
